//! Administration (an admin's key): any user, message or conversation.

use token_bowl_chat_api::{ApiKey, operations as op, types as t};
use uuid::Uuid;

use super::{Client, valid, valid_opt};
use crate::{Result, types::*};

impl Client {
    /// Every user with private details (admin).
    pub async fn admin_users(&self) -> Result<Vec<Profile>> {
        self.call(&op::ADMIN_GET_ALL_USERS, |api| {
            api.admin_get_all_users().send()
        })
        .await
    }

    /// One user with private details (admin).
    pub async fn admin_user(&self, id: Uuid) -> Result<Profile> {
        self.call(&op::ADMIN_GET_USER, |api| {
            api.admin_get_user().user_id(id).send()
        })
        .await
    }

    /// Changes any field of a user (admin).
    pub async fn admin_update_user(&self, id: Uuid, update: AdminUserUpdate) -> Result<Profile> {
        let body = t::AdminUpdateUserRequest::builder()
            .username(update.username)
            .email(update.email)
            .webhook_url(valid_opt("webhook_url", update.webhook_url)?)
            .logo(update.logo)
            .emoji(update.emoji)
            .viewer(update.viewer)
            .admin(update.admin)
            .bot(update.bot);
        self.call(&op::ADMIN_UPDATE_USER, |api| {
            api.admin_update_user().user_id(id).body(body).send()
        })
        .await
    }

    /// Deletes a user (admin).
    pub async fn admin_delete_user(&self, id: Uuid) -> Result<()> {
        self.call(&op::ADMIN_DELETE_USER, |api| {
            api.admin_delete_user().user_id(id).send()
        })
        .await
    }

    /// Replaces a user's API key and returns the new one (admin).
    pub async fn admin_regenerate_api_key(&self, id: Uuid) -> Result<ApiKey> {
        let answer = self
            .call(&op::ADMIN_REGENERATE_USER_API_KEY, |api| {
                api.admin_regenerate_user_api_key().user_id(id).send()
            })
            .await?;
        Ok(answer.api_key)
    }

    /// Gives a user a role (admin).
    pub async fn admin_set_role(&self, id: Uuid, role: Role) -> Result<RoleAssigned> {
        let body = t::AssignRoleRequest::builder().role(role);
        self.call(&op::ASSIGN_USER_ROLE, |api| {
            api.assign_user_role().user_id(id).body(body).send()
        })
        .await
    }

    /// Invites someone by email (admin; 503 without email login). `role`
    /// defaults to member.
    pub async fn admin_invite(
        &self,
        email: &str,
        signup_url: &str,
        role: Option<Role>,
    ) -> Result<Invited> {
        let body = t::InviteUserRequest::builder()
            .email(email.to_owned())
            .signup_url(signup_url.to_owned())
            .role(role.unwrap_or(Role::Member));
        self.call(&op::INVITE_USER_BY_EMAIL, |api| {
            api.invite_user_by_email().body(body).send()
        })
        .await
    }

    /// Any message by id (admin).
    pub async fn admin_message(&self, id: Uuid) -> Result<Message> {
        self.call(&op::ADMIN_GET_MESSAGE, |api| {
            api.admin_get_message().message_id(id).send()
        })
        .await
    }

    /// Replaces a message's content (admin).
    pub async fn admin_edit_message(&self, id: Uuid, content: &str) -> Result<Message> {
        let body = t::AdminMessageUpdate::builder()
            .content(valid::<t::AdminMessageUpdateContent>("content", content)?);
        self.call(&op::ADMIN_UPDATE_MESSAGE, |api| {
            api.admin_update_message().message_id(id).body(body).send()
        })
        .await
    }

    /// Deletes a message (admin).
    pub async fn admin_delete_message(&self, id: Uuid) -> Result<()> {
        self.call(&op::ADMIN_DELETE_MESSAGE, |api| {
            api.admin_delete_message().message_id(id).send()
        })
        .await
    }

    /// Deletes anyone's conversation (admin).
    pub async fn admin_delete_conversation(&self, id: Uuid) -> Result<()> {
        self.call(&op::ADMIN_DELETE_CONVERSATION, |api| {
            api.admin_delete_conversation().conversation_id(id).send()
        })
        .await
    }

    /// Real-time connection statistics (admin). Server 2.0.1 always reports
    /// zeros.
    pub async fn admin_websocket_stats(&self) -> Result<RealtimeStats> {
        self.call(&op::GET_WEBSOCKET_CONNECTIONS, |api| {
            api.get_websocket_connections().send()
        })
        .await
    }
}
