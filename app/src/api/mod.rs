//! `#[server]` functions, grouped by area. Each one runs its body through [`ssr::serve`] (role
//! check, services, the error's HTTP status) or [`ssr::serve_public`], and is listed in the
//! authorization test's table.

pub mod admin;
pub mod alerts;
pub mod drills;
pub mod home;
pub mod incidents;
pub mod me;
pub mod oncall;
pub mod people;
pub mod plans;
// The editor posts its form's fields one by one, as a browser without script does.
#[allow(clippy::too_many_arguments)]
pub mod response_plans;
// The editor posts its form's fields one by one, as a browser without script does.
#[allow(clippy::too_many_arguments)]
pub mod rotations;
pub mod schedules;
pub mod session;

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use std::future::Future;

    use crate::auth::{CurrentUser, Role};
    use crate::error::AppError;
    use crate::error::ssr::with_status;
    use crate::ports::{Services, services};

    /// Runs a server function's body for a caller who has `role`. Anonymous callers get 401,
    /// callers without the role 403, and every error leaves with its own status.
    pub async fn serve<T, Fut>(role: Role, body: impl FnOnce(CurrentUser, Services) -> Fut) -> Result<T, AppError>
    where
        Fut: Future<Output = Result<T, AppError>>,
    {
        let user = crate::auth::ssr::require_role(role)?;
        let s = services()?;
        with_status(body(user, s).await)
    }

    /// Like [`serve`] for the functions anyone may call (sign-in, setup).
    pub async fn serve_public<T, Fut>(body: impl FnOnce(Services) -> Fut) -> Result<T, AppError>
    where
        Fut: Future<Output = Result<T, AppError>>,
    {
        let s = services()?;
        with_status(body(s).await)
    }
}
