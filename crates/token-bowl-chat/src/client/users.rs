//! Users and the server: who is there, logos, health, the real-time token.

use token_bowl_chat_api::operations as op;
use uuid::Uuid;

use super::Client;
use crate::{Result, types::*};

impl Client {
    /// Everyone who can receive messages (viewers are not listed).
    pub async fn users(&self) -> Result<Vec<User>> {
        self.call(&op::GET_USERS, |api| api.get_users().send())
            .await
    }

    /// Users connected now.
    pub async fn online_users(&self) -> Result<Vec<User>> {
        self.call(&op::GET_ONLINE_USERS, |api| api.get_online_users().send())
            .await
    }

    /// One user's public profile.
    pub async fn user(&self, id: Uuid) -> Result<User> {
        self.call(&op::GET_USER_PROFILE, |api| {
            api.get_user_profile().user_id(id).send()
        })
        .await
    }

    /// The logo names a profile may use.
    pub async fn logos(&self) -> Result<Vec<String>> {
        self.call(&op::GET_AVAILABLE_LOGOS, |api| {
            api.get_available_logos().send()
        })
        .await
    }

    /// The server's health report (`status` is `"healthy"`).
    pub async fn health(&self) -> Result<Health> {
        self.call(&op::HEALTH_CHECK, |api| api.health_check().send())
            .await
    }

    /// A token and URL for the real-time (Centrifugo) connection.
    pub async fn connection_token(&self) -> Result<ConnectionToken> {
        self.call(&op::GET_CENTRIFUGO_CONNECTION_TOKEN, |api| {
            api.get_centrifugo_connection_token().send()
        })
        .await
    }
}
