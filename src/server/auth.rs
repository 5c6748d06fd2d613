//! Editors' tokens: who calls (the token's name) and what they may do (its role).
//!
//! Tokens are configured as sha256 hashes (`[[admin.tokens]]`, `HAIPEDIA_TOKENS`); the clear
//! `server.admin_token` (`HAIPEDIA_ADMIN_TOKEN`) is kept only as its hash too, an admin named
//! "admin". A presented token is hashed and compared with every configured hash in constant
//! time. No token at all: the editors' routes are off (403 `admin_disabled`).

use axum::http::{header, HeaderMap, StatusCode};
use sha2::{Digest, Sha256};

use super::ApiError;
use crate::config::{Config, Role};

/// A caller whose token was accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's name (recorded with each change).
    pub name: String,
    /// Its role.
    pub role: Role,
}

/// One accepted token: its name, role and sha256.
#[derive(Debug, Clone)]
struct Token {
    name: String,
    role: Role,
    hash: [u8; 32],
}

/// The tokens the server accepts.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    tokens: Vec<Token>,
}

impl Tokens {
    /// The tokens of `config`; malformed hashes are skipped with a warning naming the token.
    pub fn from_config(config: &Config) -> Tokens {
        let mut tokens = Vec::new();
        if let Some(clear) = config.server.admin_token.as_deref() {
            tokens.push(Token {
                name: "admin".into(),
                role: Role::Admin,
                hash: sha256(clear.as_bytes()),
            });
        }
        for t in &config.admin.tokens {
            match parse_hex(&t.sha256) {
                Some(hash) if !t.name.trim().is_empty() => tokens.push(Token {
                    name: t.name.trim().to_string(),
                    role: t.role,
                    hash,
                }),
                _ => {
                    tracing::warn!(name = %t.name, "token skipped: it needs a name and a sha256 of 64 hex digits")
                }
            }
        }
        Tokens { tokens }
    }

    /// Whether no token is configured (the editors' routes are off).
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The caller of `headers` if its bearer token is accepted with at least `needed`: 403
    /// `admin_disabled` without tokens, 401 for a missing or unknown token, 403 `forbidden` for
    /// too small a role.
    pub fn authorize(&self, headers: &HeaderMap, needed: Role) -> Result<Caller, ApiError> {
        if self.is_empty() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "admin_disabled",
                "admin endpoints are disabled: set HAIPEDIA_ADMIN_TOKEN or [[admin.tokens]]",
            ));
        }
        // the scheme is case-insensitive (RFC 7235): "Bearer", "bearer" and "BEARER" are one
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| sha256(token.trim().as_bytes()));
        let unauthorized = || {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid bearer token is required",
            )
        };
        let given = given.ok_or_else(unauthorized)?;
        // every hash is compared, so the time does not tell which token came close
        let mut found = None;
        for t in &self.tokens {
            if constant_time_eq(&t.hash, &given) && found.is_none() {
                found = Some(t);
            }
        }
        let token = found.ok_or_else(unauthorized)?;
        if token.role < needed {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                format!(
                    "this needs the {} role; token '{}' is {}",
                    needed.as_str(),
                    token.name,
                    token.role.as_str()
                ),
            ));
        }
        Ok(Caller {
            name: token.name.clone(),
            role: token.role,
        })
    }
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

fn parse_hex(hex: &str) -> Option<[u8; 32]> {
    let hex = hex.trim();
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TokenConfig;

    fn hex(bytes: &[u8]) -> String {
        sha256(bytes).iter().map(|b| format!("{b:02x}")).collect()
    }

    fn bearer(token: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            format!("bearer {token}").parse().unwrap(),
        );
        h
    }

    #[test]
    fn names_roles_and_refusals() {
        let mut config = Config::default();
        assert_eq!(
            Tokens::from_config(&config)
                .authorize(&bearer("x"), Role::Editor)
                .unwrap_err()
                .code,
            "admin_disabled"
        );
        config.server.admin_token = Some("boss".into());
        config.admin.tokens = vec![
            TokenConfig {
                name: "ani".into(),
                role: Role::Editor,
                sha256: hex(b"ani-token").to_uppercase(),
            },
            TokenConfig {
                name: "bad".into(),
                role: Role::Admin,
                sha256: "zz".into(),
            },
        ];
        let tokens = Tokens::from_config(&config);
        let ani = tokens
            .authorize(&bearer("ani-token"), Role::Editor)
            .unwrap();
        assert_eq!(ani.name, "ani");
        let refused = tokens
            .authorize(&bearer("ani-token"), Role::Admin)
            .unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (403, "forbidden"));
        assert_eq!(
            tokens.authorize(&bearer("boss"), Role::Admin).unwrap().name,
            "admin"
        );
        assert_eq!(
            tokens
                .authorize(&bearer("zz"), Role::Editor)
                .unwrap_err()
                .status,
            401
        );
        assert_eq!(
            tokens
                .authorize(&HeaderMap::new(), Role::Editor)
                .unwrap_err()
                .status,
            401
        );
    }
}
