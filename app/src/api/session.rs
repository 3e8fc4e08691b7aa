//! Who is signed in; sign-in, sign-out and the first-administrator setup link.

use leptos::prelude::*;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::forms::safe_next;
use crate::model::session::SessionInfo;

/// Public: the signed-in user (if any) and the backend mode, for the app shell.
#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<SessionInfo, AppError> {
    crate::api::ssr::serve_public(|_| async move { session_info().ok_or(AppError::Internal) }).await
}

/// The request's user and the backend, read synchronously while a page renders on the server
/// (the header needs no resource of its own: two Suspense boundaries resolving in parallel on
/// one page can leave a server-rendered response unfinished, see leptos#4851). `None` in the
/// browser, which never renders the header (islands).
pub fn session_info() -> Option<SessionInfo> {
    #[cfg(feature = "ssr")]
    {
        let s = crate::ports::services().ok()?;
        Some(SessionInfo {
            user: crate::auth::ssr::current_user(),
            backend: s.mode,
            backend_location: s.backend.location(),
        })
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}

/// Public: checks the credentials and starts a fresh session (new id, against fixation).
#[server(endpoint = "login")]
pub async fn login(username: String, password: String, next: Option<String>) -> Result<(), AppError> {
    crate::api::ssr::serve_public(|s| async move {
        let signed_in = s.accounts.sign_in(username.trim(), &password, &crate::auth::ssr::client_addr()).await?;
        ssr::start_session(&signed_in).await?;
        leptos_axum::redirect(&safe_next(next.as_deref()));
        Ok(())
    })
    .await
}

/// Public: ends the session, whoever calls it.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    crate::api::ssr::serve_public(|_| async move {
        let session = crate::auth::ssr::session()?;
        session.flush().await.map_err(|_| AppError::Internal)?;
        leptos_axum::redirect("/login");
        Ok(())
    })
    .await
}

/// Public: whether a setup token can still be used.
#[server(endpoint = "setup_status")]
pub async fn setup_status(token: String) -> Result<bool, AppError> {
    crate::api::ssr::serve_public(|s| async move { s.accounts.setup_link_valid(&token).await }).await
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
    use crate::error::FieldError;
    use crate::i18n::Msg;
    crate::api::ssr::serve_public(|s| async move {
        if password != password_confirm {
            return Err(AppError::Invalid(vec![FieldError::new("password_confirm", Msg::ErrPasswordMismatch)]));
        }
        let user = NewUser { username, display_name, password, role: Role::Admin }.validated()?;
        let signed_in = s.accounts.setup_first_admin(&token, user).await?;
        ssr::start_session(&signed_in).await?;
        leptos_axum::redirect("/");
        Ok(())
    })
    .await
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::error::AppError;
    use crate::ports::{SessionClaims, SignedIn};

    pub async fn start_session(signed_in: &SignedIn) -> Result<(), AppError> {
        let session = crate::auth::ssr::session()?;
        session.cycle_id().await.map_err(|_| AppError::Internal)?;
        let claims = SessionClaims {
            user_id: signed_in.user.id,
            epoch: signed_in.session_epoch,
            authenticated_at: signed_in.at,
        };
        session.insert(SessionClaims::KEY, claims).await.map_err(|_| AppError::Internal)
    }
}
