//! Sign in and out.

use crate::AppState;
use crate::dto::{LoginRequest, LoginResponse, StaffDto, time};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::extract::{ApiJson, Authed, SESSION_COOKIE, request_token};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pledge_app::auth::{Secret, TokenKind};

/// Signs in and returns a bearer token (or sets the session cookie).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = ErrorBody), (status = 422, body = ErrorBody)))]
#[tracing::instrument(skip_all)]
pub async fn login(State(st): State<AppState>, ApiJson(req): ApiJson<LoginRequest>) -> ApiResult<Response> {
    let kind = match req.kind.as_deref().unwrap_or("api") {
        "api" => TokenKind::Api,
        "cookie" => TokenKind::Cookie,
        other => return Err(ApiError::invalid("invalid_kind", "kind", format!("{other:?} is not api or cookie"))),
    };
    let login = st.app.login(&req.username, &Secret::new(req.password), kind).await?;
    let body = LoginResponse {
        token: login.token.expose().to_owned(),
        expires_at: time(login.expires_at),
        staff: StaffDto::from(login.actor.staff),
    };
    let mut res = axum::Json(body).into_response();
    if kind == TokenKind::Cookie {
        let cookie = format!("{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax", login.token.expose());
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    Ok(res)
}

/// Ends the current session or revokes the token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ErrorBody)))]
pub async fn logout(State(st): State<AppState>, _who: Authed, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(t) = request_token(&headers) {
        st.app.logout(&t).await?;
    }
    let mut res = StatusCode::NO_CONTENT.into_response();
    res.headers_mut()
        .insert(header::SET_COOKIE, HeaderValue::from_static("pledge_session=; Path=/; HttpOnly; Max-Age=0"));
    Ok(res)
}

/// The signed-in staff member.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = StaffDto), (status = 401, body = ErrorBody)))]
pub async fn me(Authed(actor): Authed) -> axum::Json<StaffDto> {
    axum::Json(actor.staff.into())
}
