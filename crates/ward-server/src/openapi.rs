//! The OpenAPI document: every API route registers itself with its `#[utoipa::path]` through
//! `utoipa_axum`, so the document and the router cannot drift apart; this adds the title and
//! the three ways to present a key.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::{api, defectdojo, AppState};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ward",
        description = "ward's findings server: products, engagements, tests and deduplicated findings; imports (native and DefectDojo-compatible), triage, counts and gate verdicts."
    ),
    modifiers(&KeySchemes),
    components(schemas(crate::error::ErrorBody)),
    tags(
        (name = "products", description = "Products and their engagements and tests"),
        (name = "imports", description = "Report imports and reimports"),
        (name = "findings", description = "Finding queries, detail, triage and counts"),
        (name = "gate", description = "Policy verdicts"),
        (name = "approvals", description = "Gate approvals: poll, approve or refuse"),
        (name = "keys", description = "API keys (admin)"),
        (name = "defectdojo", description = "DefectDojo API v2 compatible imports"),
    )
)]
struct ApiDoc;

/// `bearer` (`Authorization: Bearer <key>`), `api_key` (`X-Api-Key`), `token`
/// (DefectDojo's `Authorization: Token <key>`).
struct KeySchemes;

impl Modify for KeySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "DefectDojo's form: `Token <key>`",
            ))),
        );
    }
}

/// Every documented route.
pub(crate) fn api_router(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(api::router(state))
        .merge(defectdojo::router(state))
}
