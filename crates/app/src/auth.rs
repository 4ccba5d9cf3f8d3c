//! Staff sign-in: argon2id password hashes, session cookies and API tokens
//! (random secrets of which only a SHA-256 is stored).

use crate::error::{AppError, AppResult};
use crate::{Actor, App};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use pledge_store::repo::*;
use sha2::{Digest, Sha256};
use std::fmt;

/// Argon2id cost. The default follows current guidance (19 MiB, 2 passes);
/// tests may lower it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        Self { memory_kib: 19 * 1024, iterations: 2 }
    }
}

impl PasswordCost {
    /// A cheap cost for tests only.
    pub const TESTING: PasswordCost = PasswordCost { memory_kib: 64, iterations: 1 };

    fn hasher(self) -> AppResult<Argon2<'static>> {
        let params =
            Params::new(self.memory_kib, self.iterations, 1, None).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// A secret that never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &Secret, cost: PasswordCost) -> AppResult<String> {
    let pw = password.expose();
    if pw.chars().count() < 8 {
        return Err(AppError::invalid("weak_password", "password", "the password must have at least 8 characters"));
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| AppError::Internal(e.to_string()))?;
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(cost.hasher()?.hash_password(pw.as_bytes(), &salt).map_err(|e| AppError::Internal(e.to_string()))?.to_string())
}

/// Checks a password against a stored PHC hash (its own parameters apply).
pub fn verify_password(password: &Secret, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.expose().as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

fn random_token() -> AppResult<String> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(pledge_domain::ledger::Hash(b).to_hex())
}

fn token_hash(token: &str) -> String {
    pledge_domain::ledger::Hash(Sha256::digest(token.as_bytes()).into()).to_hex()
}

/// What a sign-in hands back.
#[derive(Debug, Clone)]
pub struct Login {
    pub token: Secret,
    pub actor: Actor,
    pub expires_at: jiff::Timestamp,
}

/// Whether a token is for a browser session or an API client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Cookie,
    Api,
}

impl TokenKind {
    fn code(self) -> &'static str {
        match self {
            TokenKind::Cookie => "cookie",
            TokenKind::Api => "api",
        }
    }
}

impl App {
    /// Signs a staff member in. Unknown users and wrong passwords get the same answer.
    #[tracing::instrument(skip(self, password))]
    pub async fn login(&self, username: &str, password: &Secret, kind: TokenKind) -> AppResult<Login> {
        let found = self.store().read().staff_credentials(username.trim()).await?;
        let Some((staff, phc)) = found.filter(|(s, _)| s.active) else {
            // Spend about the same time as a real check so timing does not reveal usernames.
            let _ = verify_password(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$3cmWKZ5zxOUHU6YwI+3T3W5oAiPOQZm3Oe3SHjQoCrc",
            );
            return Err(AppError::Unauthenticated);
        };
        let pw = password.clone();
        let ok = tokio::task::spawn_blocking(move || verify_password(&pw, &phc))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?;
        if !ok {
            return Err(AppError::Unauthenticated);
        }
        let token = random_token()?;
        let hash = token_hash(&token);
        let now = self.now();
        let ttl = match kind {
            TokenKind::Cookie => self.config().session_ttl,
            TokenKind::Api => self.config().token_ttl,
        };
        let expires_at = now.checked_add(ttl).map_err(|e| AppError::Internal(e.to_string()))?;
        let staff_id = staff.id;
        self.writer
            .write(async move |tx| {
                tx.insert_session(&hash, staff_id, kind.code(), now.as_microsecond(), expires_at.as_microsecond())
                    .await?;
                Ok(())
            })
            .await?;
        Ok(Login { token: Secret(token), actor: Actor { staff }, expires_at })
    }

    /// The staff member a token belongs to, if it is live.
    pub async fn authenticate(&self, token: &str) -> AppResult<Actor> {
        if token.len() != 64 {
            return Err(AppError::Unauthenticated);
        }
        let s = self.store().read().session(&token_hash(token), self.now().as_microsecond()).await?;
        s.map(|s| Actor { staff: s.staff }).ok_or(AppError::Unauthenticated)
    }

    pub async fn logout(&self, token: &str) -> AppResult<()> {
        let hash = token_hash(token);
        self.writer.write(async move |tx| Ok(tx.revoke_session(&hash).await?)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let h = hash_password(&Secret::new("correct horse"), PasswordCost::TESTING).unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password(&Secret::new("correct horse"), &h));
        assert!(!verify_password(&Secret::new("wrong horse!"), &h));
        assert!(!verify_password(&Secret::new("correct horse"), "not a hash"));
    }

    #[test]
    fn short_passwords_are_refused_and_secrets_do_not_print() {
        assert!(matches!(
            hash_password(&Secret::new("short"), PasswordCost::TESTING),
            Err(AppError::Invalid { code: "weak_password", .. })
        ));
        assert_eq!(format!("{:?}", Secret::new("hunter2!!")), "Secret(***)");
    }
}
