//! The protected resource metadata (RFC 9728) of a resource server, as axum routes.

use axum::Router;
use genauth_core::protocol::ProtectedResource;
use genauth_tower::resource::MetadataService;

/// Routes serving `resource`'s metadata document at each of its
/// [`metadata_paths`](ProtectedResource::metadata_paths). Merge them outside
/// the guard: clients read the document before they have a token.
///
/// ```no_run
/// # fn f(auth: genauth_tower::AuthenticationClient, mcp: axum::Router) -> Result<(), genauth_core::Error> {
/// use genauth_tower::guard::Guard;
/// let resource = auth.protected_resource("https://mcp.example.com/mcp")?;
/// let guard = Guard::new(auth.clone())
///     .verifier(auth.token_verifier().audience(resource.uri()))
///     .protected_resource(&resource);
/// let app: axum::Router = mcp
///     .layer(guard.layer())
///     .merge(genauth_axum::protected_resource_routes(&resource));
/// # let _ = app; Ok(()) }
/// ```
pub fn protected_resource_routes<S>(resource: &ProtectedResource) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
{
    let service = MetadataService::new(resource);
    resource
        .metadata_paths()
        .iter()
        .fold(Router::new(), |router, path| {
            router.route_service(path, service.clone())
        })
}
