//! Who is signed in; sign-in, sign-out and the first-administrator setup link.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::error::AppError;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendMode {
    Local,
    Aws,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Option<CurrentUser>,
    pub backend: BackendMode,
    /// AWS mode: region and account.
    pub backend_location: Option<String>,
}

/// Public: the signed-in user (if any) and the backend mode, for the app shell.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<SessionInfo, AppError> {
    let services = crate::ports::services()?;
    let backend_location = services.backend.location().await;
    Ok(SessionInfo { user: crate::auth::ssr::current_user(), backend: services.mode, backend_location })
}

/// Only local paths are followed after sign-in, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

/// Public: checks the credentials and starts a fresh session (new id, against fixation).
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use crate::auth::ssr::client_addr;
    use crate::error::ssr::with_status;
    let signed_in =
        with_status(crate::ports::services()?.accounts.sign_in(username.trim(), &password, &client_addr()).await)?;
    ssr::start_session(&signed_in).await?;
    leptos_axum::redirect(&safe_next(next.as_deref()));
    Ok(())
}

/// Public: ends the session, whoever calls it.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let session = crate::auth::ssr::session()?;
    session.flush().await.map_err(|_| AppError::Internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// Public: whether a setup token can still be used.
#[server(endpoint = "setup_status")]
pub async fn setup_status(token: String) -> Result<bool, AppError> {
    crate::ports::services()?.accounts.setup_link_valid(&token).await
}

/// Public, but only with a valid one-time token: creates the first administrator and signs in.
#[server(endpoint = "setup_admin")]
pub async fn setup_admin(
    token: String,
    username: String,
    display_name: String,
    password: String,
    password_confirm: String,
) -> Result<(), AppError> {
    use crate::auth::{NewUser, Role};
    use crate::error::{FieldError, ssr::with_status};
    use crate::i18n::Msg;
    if password != password_confirm {
        return with_status(Err(AppError::Invalid(vec![FieldError::new(
            "password_confirm",
            Msg::ErrPasswordMismatch,
        )])));
    }
    let user = with_status(NewUser { username, display_name, password, role: Role::Admin }.validated())?;
    let signed_in = with_status(crate::ports::services()?.accounts.setup_first_admin(&token, user).await)?;
    ssr::start_session(&signed_in).await?;
    leptos_axum::redirect("/");
    Ok(())
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::ports::{SessionClaims, SignedIn, now_epoch_secs};

    pub async fn start_session(signed_in: &SignedIn) -> Result<(), AppError> {
        let session = crate::auth::ssr::session()?;
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        let claims = SessionClaims {
            user_id: signed_in.user.id,
            epoch: signed_in.session_epoch,
            authenticated_at: now_epoch_secs(),
        };
        session.insert(SessionClaims::KEY, claims).await.map_err(|_| AppError::Internal)
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/admin/users")), "/admin/users");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
