//! The agents' search page (`/`), the editors' page (`/admin`) and the supervisors' dashboard
//! (`/admin/dashboard`), embedded in the binary.

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::ApiError;

/// A file served from the binary.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static str,
}

const INDEX: Asset = Asset {
    name: "index.html",
    content_type: "text/html; charset=utf-8",
    body: include_str!("../../web/index.html"),
};

const ADMIN: Asset = Asset {
    name: "admin.html",
    content_type: "text/html; charset=utf-8",
    body: include_str!("../../web/admin.html"),
};

const DASHBOARD: Asset = Asset {
    name: "dashboard.html",
    content_type: "text/html; charset=utf-8",
    body: include_str!("../../web/dashboard.html"),
};

const ADMIN_OFF: Asset = Asset {
    name: "admin-off.html",
    content_type: "text/html; charset=utf-8",
    body: include_str!("../../web/admin-off.html"),
};

/// Style and scripts under `/assets/`.
const ASSETS: &[Asset] = &[
    Asset {
        name: "style.css",
        content_type: "text/css; charset=utf-8",
        body: include_str!("../../web/style.css"),
    },
    Asset {
        name: "session.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/session.js"),
    },
    Asset {
        name: "search.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/search.js"),
    },
    Asset {
        name: "admin.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/admin.js"),
    },
    Asset {
        name: "gaps.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/gaps.js"),
    },
    Asset {
        name: "import.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/import.js"),
    },
    Asset {
        name: "dashboard.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_str!("../../web/dashboard.js"),
    },
];

/// Only our own scripts, styles and API: no inline script, no third party, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

fn serve(asset: &Asset) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("no-referrer"),
            ),
        ],
        asset.body,
    )
        .into_response()
}

/// The agents' search page.
pub async fn search_page() -> Response {
    serve(&INDEX)
}

/// The editors' page (the token is asked in the page; the API checks it).
pub async fn admin_page(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<super::AppState>>,
) -> Response {
    editors_only(&state, &ADMIN)
}

/// The supervisors' dashboard (the same token as the editors' page; the API checks it).
pub async fn dashboard_page(
    axum::extract::State(state): axum::extract::State<std::sync::Arc<super::AppState>>,
) -> Response {
    editors_only(&state, &DASHBOARD)
}

/// `page`, or without any token the page saying the editors' pages are off: nobody could sign
/// in, so that is said at once instead of showing the form.
fn editors_only(state: &super::AppState, page: &Asset) -> Response {
    if state.tokens.is_empty() {
        serve(&ADMIN_OFF)
    } else {
        serve(page)
    }
}

/// A style sheet or script of the pages.
pub async fn asset(
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, ApiError> {
    let Path(name) = name?;
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(serve)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such asset"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_only_assets_that_exist() {
        for page in [&INDEX, &ADMIN, &DASHBOARD, &ADMIN_OFF] {
            for part in page.body.split("/assets/").skip(1) {
                let name = part.split('"').next().unwrap_or_default();
                assert!(
                    ASSETS.iter().any(|a| a.name == name),
                    "{} links /assets/{name}, which is not embedded",
                    page.name
                );
            }
        }
    }

    #[test]
    fn pages_have_no_inline_script_the_policy_would_block() {
        for page in [&INDEX, &ADMIN, &DASHBOARD, &ADMIN_OFF] {
            assert!(!page.body.contains("<script>"), "{}", page.name);
            assert!(!page.body.contains(" onclick="), "{}", page.name);
        }
    }
}
