//! API keys on requests: the [`Caller`] extractor and the checks every handler makes with it.
//!
//! A key comes in one of three headers: `Authorization: Bearer <key>`, `X-Api-Key: <key>`, or
//! DefectDojo's `Authorization: Token <key>`. It is looked up on every request (never cached),
//! so a revoked key stops working at once. Scopes are ordered read < import < triage < admin;
//! a key limited to products may touch only those, and never anything global (keys, new
//! products other than its own).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use ward_store::{ApiKey, Product, ProductId, Scope};

use crate::error::ApiError;
use crate::AppState;

/// The authenticated key of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The key's stored row.
    pub key: ApiKey,
}

/// The key a request presents, from whichever header carries it.
pub(crate) fn presented_key(headers: &HeaderMap) -> Option<&str> {
    if let Some(value) = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let value = value.trim();
        for scheme in ["Bearer ", "Token ", "bearer ", "token "] {
            if let Some(key) = value.strip_prefix(scheme) {
                return Some(key.trim());
            }
        }
    }
    headers
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let Some(presented) = presented_key(&parts.headers).filter(|k| !k.is_empty()) else {
            return Err(ApiError::Unauthorized(
                "no API key: send `Authorization: Bearer <key>` or `X-Api-Key: <key>`".into(),
            ));
        };
        match state.store.api_key_by_secret(presented).await {
            Ok(Some(key)) => Ok(Caller { key }),
            Ok(None) => Err(ApiError::Unauthorized(
                "the API key is unknown or revoked".into(),
            )),
            Err(error) => Err(crate::store_error(error)),
        }
    }
}

impl Caller {
    /// The name the audit trail records for this caller.
    pub fn actor(&self) -> String {
        format!("key:{}", self.key.name)
    }

    /// Fails unless the key's scope includes `needed`.
    pub fn require(&self, needed: Scope) -> Result<(), ApiError> {
        if self.key.scope.allows(needed) {
            return Ok(());
        }
        Err(ApiError::Forbidden(format!(
            "this API key has scope `{}`; this needs `{needed}`",
            self.key.scope
        )))
    }

    /// Fails unless the key has scope `needed` and may touch the product named `product`.
    /// Checked on the name before the product is looked up, so a refused key learns nothing
    /// about whether the product exists.
    pub fn require_product(&self, needed: Scope, product: &str) -> Result<(), ApiError> {
        self.require(needed)?;
        if self.key.may_access(product) {
            return Ok(());
        }
        Err(ApiError::Forbidden(format!(
            "this API key has no access to product `{product}`"
        )))
    }

    /// Fails unless the key has scope `needed` and is not limited to products: for what is
    /// not one product's (keys, the product list as a whole).
    pub fn require_global(&self, needed: Scope) -> Result<(), ApiError> {
        self.require(needed)?;
        if self.key.products.is_none() {
            return Ok(());
        }
        Err(ApiError::Forbidden(
            "this API key is limited to some products; this needs a key for every product".into(),
        ))
    }

    /// Whether the key may see `product` (for filtering lists).
    pub fn sees(&self, product: &Product) -> bool {
        self.key.may_access(&product.name)
    }

    /// The ids of the products the key is limited to (`None`: every product). Names that
    /// match no product are left out.
    pub async fn allowed_products(
        &self,
        state: &AppState,
    ) -> Result<Option<Vec<ProductId>>, ApiError> {
        let Some(names) = &self.key.products else {
            return Ok(None);
        };
        let mut ids = Vec::with_capacity(names.len());
        for name in names {
            if let Some(product) = state
                .store
                .product_by_name(name)
                .await
                .map_err(crate::store_error)?
            {
                ids.push(product.id);
            }
        }
        Ok(Some(ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn keys_come_from_three_headers() {
        assert_eq!(
            presented_key(&headers(&[("authorization", "Bearer ward_abc")])),
            Some("ward_abc")
        );
        assert_eq!(
            presented_key(&headers(&[("authorization", "Token ward_abc ")])),
            Some("ward_abc")
        );
        assert_eq!(
            presented_key(&headers(&[("x-api-key", "ward_abc")])),
            Some("ward_abc")
        );
        assert_eq!(
            presented_key(&headers(&[("authorization", "Basic dXNlcjpwYXNz")])),
            None
        );
        assert_eq!(presented_key(&headers(&[])), None);
    }
}
