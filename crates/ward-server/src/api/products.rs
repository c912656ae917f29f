//! Products, their engagements and their tests.
//!
//! Anyone with a key reads the products it may access; creating a product takes an admin key
//! for every product, changing or deleting one an admin key with access to it. Engagements are created by
//! import keys (pipelines open a context per branch or release).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use ward_store::{NewEngagement, NewProduct, Scope, TestId};

use super::views::{EngagementView, ProductView, SlaView, TestView};
use super::{engagement, product, ApiJson, ApiPath};
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::{store_error, AppState};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_products, create_product))
        .routes(routes!(get_product, update_product, delete_product))
        .routes(routes!(list_engagements, create_engagement))
        .routes(routes!(get_engagement))
        .routes(routes!(list_tests))
        .routes(routes!(get_test))
}

/// The fields of a product.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ProductBody {
    /// Unique name.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
    /// The owning team.
    #[serde(default)]
    pub team: Option<String>,
    /// Labels.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Days to fix per severity, when the product differs from the server's default.
    #[serde(default)]
    pub sla: Option<SlaView>,
}

impl From<ProductBody> for NewProduct {
    fn from(body: ProductBody) -> NewProduct {
        NewProduct {
            name: body.name,
            description: body.description,
            team: body.team,
            tags: body.tags,
            sla: body.sla.map(Into::into),
        }
    }
}

/// The fields of an engagement.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EngagementBody {
    /// Name, unique within the product.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: Option<String>,
}

/// Lists the products the key may access.
#[utoipa::path(get, path = "/api/v1/products", tag = "products",
    responses((status = 200, body = Vec<ProductView>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_products(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<ProductView>>, ApiError> {
    caller.require(Scope::Read)?;
    let products = state.store.list_products().await.map_err(store_error)?;
    Ok(Json(
        products
            .into_iter()
            .filter(|p| caller.sees(p))
            .map(ProductView::from)
            .collect(),
    ))
}

/// Creates a product (admin key for every product).
#[utoipa::path(post, path = "/api/v1/products", tag = "products", request_body = ProductBody,
    responses((status = 201, body = ProductView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn create_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<ProductBody>,
) -> Result<(StatusCode, Json<ProductView>), ApiError> {
    caller.require_global(Scope::Admin)?;
    let product = state
        .store
        .create_product(&body.into())
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(product.into())))
}

/// One product.
#[utoipa::path(get, path = "/api/v1/products/{product}", tag = "products",
    params(("product" = String, Path, description = "Product name")),
    responses((status = 200, body = ProductView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<ProductView>, ApiError> {
    let product = product(&state, &caller, Scope::Read, &name).await?;
    Ok(Json(product.into()))
}

/// Replaces a product's fields (admin key with access to it). A key limited to products
/// cannot rename one out of its reach.
#[utoipa::path(put, path = "/api/v1/products/{product}", tag = "products", request_body = ProductBody,
    params(("product" = String, Path, description = "Product name")),
    responses((status = 200, body = ProductView), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn update_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<ProductBody>,
) -> Result<Json<ProductView>, ApiError> {
    let current = product(&state, &caller, Scope::Admin, &name).await?;
    caller.require_product(Scope::Admin, &body.name)?;
    let updated = state
        .store
        .update_product(current.id, &body.into())
        .await
        .map_err(store_error)?;
    Ok(Json(updated.into()))
}

/// Deletes a product and everything under it: engagements, tests, findings with their
/// history, webhook settings and triggers, approvals, stored policy and queued jobs (admin
/// key with access to it). Keys limited to products forget it; a key left with none is
/// revoked.
#[utoipa::path(delete, path = "/api/v1/products/{product}", tag = "products",
    params(("product" = String, Path, description = "Product name")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn delete_product(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let product = product(&state, &caller, Scope::Admin, &name).await?;
    state
        .store
        .delete_product(product.id)
        .await
        .map_err(store_error)?;
    tracing::info!(product = %product.name, actor = %caller.actor(), "deleted product");
    Ok(StatusCode::NO_CONTENT)
}

/// A product's engagements.
#[utoipa::path(get, path = "/api/v1/products/{product}/engagements", tag = "products",
    params(("product" = String, Path, description = "Product name")),
    responses((status = 200, body = Vec<EngagementView>), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_engagements(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
) -> Result<Json<Vec<EngagementView>>, ApiError> {
    let product = product(&state, &caller, Scope::Read, &name).await?;
    let engagements = state
        .store
        .list_engagements(product.id)
        .await
        .map_err(store_error)?;
    Ok(Json(engagements.into_iter().map(Into::into).collect()))
}

/// Creates an engagement (import key with access to the product).
#[utoipa::path(post, path = "/api/v1/products/{product}/engagements", tag = "products",
    request_body = EngagementBody,
    params(("product" = String, Path, description = "Product name")),
    responses((status = 201, body = EngagementView), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn create_engagement(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(name): ApiPath<String>,
    ApiJson(body): ApiJson<EngagementBody>,
) -> Result<(StatusCode, Json<EngagementView>), ApiError> {
    let product = product(&state, &caller, Scope::Import, &name).await?;
    let engagement = NewEngagement {
        name: body.name,
        description: body.description,
    };
    let created = state
        .store
        .create_engagement(product.id, &engagement)
        .await
        .map_err(store_error)?;
    Ok((StatusCode::CREATED, Json(created.into())))
}

/// One engagement.
#[utoipa::path(get, path = "/api/v1/products/{product}/engagements/{engagement}", tag = "products",
    params(("product" = String, Path, description = "Product name"),
        ("engagement" = String, Path, description = "Engagement name")),
    responses((status = 200, body = EngagementView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_engagement(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((product_name, engagement_name)): ApiPath<(String, String)>,
) -> Result<Json<EngagementView>, ApiError> {
    let product = product(&state, &caller, Scope::Read, &product_name).await?;
    let engagement = engagement(&state, &product, &engagement_name).await?;
    Ok(Json(engagement.into()))
}

/// An engagement's tests (imported reports), oldest first.
#[utoipa::path(get, path = "/api/v1/products/{product}/engagements/{engagement}/tests", tag = "products",
    params(("product" = String, Path, description = "Product name"),
        ("engagement" = String, Path, description = "Engagement name")),
    responses((status = 200, body = Vec<TestView>), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn list_tests(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((product_name, engagement_name)): ApiPath<(String, String)>,
) -> Result<Json<Vec<TestView>>, ApiError> {
    let product = product(&state, &caller, Scope::Read, &product_name).await?;
    let engagement = engagement(&state, &product, &engagement_name).await?;
    let tests = state
        .store
        .list_tests(engagement.id)
        .await
        .map_err(store_error)?;
    Ok(Json(tests.into_iter().map(Into::into).collect()))
}

/// One test by id.
#[utoipa::path(get, path = "/api/v1/tests/{test}", tag = "products",
    params(("test" = i64, Path, description = "Test id")),
    responses((status = 200, body = TestView), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = []), ("token" = [])))]
async fn get_test(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<TestView>, ApiError> {
    caller.require(Scope::Read)?;
    let not_found = || ApiError::NotFound(format!("test {id} not found"));
    let test = match state.store.test(TestId(id)).await {
        Ok(test) => test,
        Err(ward_store::Error::NotFound { .. }) => return Err(not_found()),
        Err(error) => return Err(store_error(error)),
    };
    let product = state
        .store
        .product(test.product_id)
        .await
        .map_err(store_error)?;
    if !caller.sees(&product) {
        return Err(not_found());
    }
    Ok(Json(test.into()))
}
