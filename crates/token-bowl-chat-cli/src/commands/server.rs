//! `logos` and `health`: what the server offers, asked without a key.

use token_bowl_chat::Client;

use super::shared::{Result, wait};
use crate::output::Out;

/// `logos`: the logo names a profile may use.
pub async fn logos(client: &Client, out: &Out) -> Result {
    let logos = wait("loading logos", client.logos()).await?;
    out.show(&logos, |out| {
        out.table(&["Logo"], logos.iter().map(|l| vec![l.clone()]).collect())?;
        Ok(())
    })?;
    Ok(())
}

/// `health`: the server's health check.
pub async fn health(client: &Client, out: &Out) -> Result {
    let health = wait("checking", client.health()).await?;
    out.show(&health, |out| {
        out.table(
            &["Check", "Value"],
            vec![vec!["status".into(), health.status.clone()]],
        )?;
        Ok(())
    })?;
    Ok(())
}
