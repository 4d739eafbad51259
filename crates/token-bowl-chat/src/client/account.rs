//! Account: registration, your profile, your key, magic-link login.

use token_bowl_chat_api::{ApiKey, operations as op, types as t};

use super::{Client, valid, valid_opt};
use crate::{Result, types::*};

impl Client {
    /// Registers a user. When this client has no key yet, it adopts the new
    /// one, so the next call is made as the new user.
    pub async fn register(&self, registration: Register) -> Result<Registration> {
        let body = t::UserRegistration::builder()
            .username(valid::<t::UserRegistrationUsername>(
                "username",
                registration.username,
            )?)
            .webhook_url(valid_opt("webhook_url", registration.webhook_url)?)
            .logo(registration.logo)
            .emoji(registration.emoji)
            .role(registration.role)
            .admin(registration.admin)
            .viewer(registration.viewer)
            .bot(false);
        let created: Registration = self
            .call(&op::REGISTER_USER, |api| {
                api.register_user().body(body).send()
            })
            .await?;
        self.adopt_key_if_none(&created.api_key);
        Ok(created)
    }

    /// Your own profile.
    pub async fn me(&self) -> Result<Profile> {
        self.call(&op::GET_MY_PROFILE, |api| api.get_my_profile().send())
            .await
    }

    /// Changes your username.
    pub async fn set_username(&self, username: &str) -> Result<Profile> {
        let body = t::UpdateUsernameRequest::builder().username(valid::<
            t::UpdateUsernameRequestUsername,
        >("username", username)?);
        self.call(&op::UPDATE_MY_USERNAME, |api| {
            api.update_my_username().body(body).send()
        })
        .await
    }

    /// Sets (or with `None` clears) your logo; names come from [`logos`](Self::logos).
    pub async fn set_logo(&self, logo: Option<&str>) -> Result<LogoUpdated> {
        let body = t::UpdateLogoRequest::builder().logo(logo.map(str::to_owned));
        self.call(&op::UPDATE_MY_LOGO, |api| {
            api.update_my_logo().body(body).send()
        })
        .await
    }

    /// Sets (or with `None` clears) the webhook the server posts your messages to.
    /// The answer's `webhook_url` is the server's normalised form (`""`
    /// when cleared).
    pub async fn set_webhook(&self, url: Option<&str>) -> Result<WebhookUpdated> {
        let body = t::UpdateWebhookRequest::builder().webhook_url(valid_opt("webhook_url", url)?);
        self.call(&op::UPDATE_MY_WEBHOOK, |api| {
            api.update_my_webhook().body(body).send()
        })
        .await
    }

    /// Replaces your API key; this client uses the new one from now on.
    pub async fn regenerate_api_key(&self) -> Result<ApiKey> {
        let operation = &op::REGENERATE_MY_API_KEY;
        let answer = self
            .call(operation, |api| api.regenerate_my_api_key().send())
            .await?;
        self.credentials().set(answer.api_key.clone());
        Ok(answer.api_key)
    }

    /// Sends a magic-link login email (503 when the server has no email login).
    pub async fn send_magic_link(
        &self,
        email: &str,
        username: Option<&str>,
    ) -> Result<MagicLinkSent> {
        let body = t::StytchLoginRequest::builder()
            .email(valid::<t::StytchLoginRequestEmail>("email", email)?)
            .username(valid_opt("username", username)?);
        self.call(&op::SEND_MAGIC_LINK, |api| {
            api.send_magic_link().body(body).send()
        })
        .await
    }

    /// Exchanges a magic-link token for a session and API key; adopts the
    /// key when this client has none.
    pub async fn authenticate_magic_link(&self, token: &str) -> Result<MagicLinkSession> {
        let body = t::StytchAuthenticateRequest::builder()
            .token(valid::<t::StytchAuthenticateRequestToken>("token", token)?);
        let session: MagicLinkSession = self
            .call(&op::AUTHENTICATE_MAGIC_LINK, |api| {
                api.authenticate_magic_link().body(body).send()
            })
            .await?;
        self.adopt_key_if_none(&session.api_key);
        Ok(session)
    }
}
