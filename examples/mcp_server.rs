//! An MCP server protected by GenAuth, fully offline.
//!
//! A Model Context Protocol server (rmcp's streamable HTTP transport on axum)
//! whose every request must carry a GenAuth access token issued for it: the
//! token's audience is the server's own URL (a resource indicator, RFC 8707).
//! Without one, the server answers 401 and points at its protected resource
//! metadata (RFC 9728), which names GenAuth as the authorization server, so
//! that an MCP client can log the user in by itself.
//!
//! Two tools:
//! - `whoami` reads the caller's verified claims;
//! - `my_profile` reads the caller's GenAuth profile. The server asks GenAuth
//!   with its own management credentials for the user the token names: it
//!   never forwards the caller's token, which is for this server only. The
//!   tool needs the `profile` scope; a token without it gets 403
//!   `insufficient_scope`, and the client can ask the user for more.
//!
//! `cargo run --example mcp_server` starts the GenAuth emulator and the
//! server on 127.0.0.1, checks the discovery chain (401 → metadata →
//! GenAuth's discovery document) and exits. With `-- --serve` it keeps
//! serving until Ctrl-C, for an MCP client configured with the printed client
//! id and redirect URI. tests/mcp.rs drives this server with rmcp's own client.

use std::error::Error as StdError;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use genauth::protocol::resource::parse_protected_resource_metadata;
use genauth::protocol::{ProtectedResource, TokenVerifier};
use genauth::{
    AuthenticationClient, AuthenticationClientOptions, ManagementClient, ManagementClientOptions,
};
use genauth_emulator::{
    App, Emulator, RunningEmulator, TestUser, DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET,
};
use genauth_tower::guard::{BearerClaims, Guard};
use http::StatusCode;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{CallToolResult, ContentBlock, ServerCapabilities, ServerConfig};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{tool, tool_handler, tool_router, ErrorData, ServerHandler};
use serde::Deserialize;
use tokio::net::TcpListener;

type BoxResult<T> = Result<T, Box<dyn StdError + Send + Sync>>;

/// The GenAuth app MCP clients log in through: a public client (PKCE, no
/// secret), since an MCP client cannot keep one.
pub const CLIENT_ID: &str = "mcp-clients";
/// The redirect URI registered for it (the MCP client's loopback callback).
pub const REDIRECT_URI: &str = "http://127.0.0.1:33418/callback";
/// The user of the emulator.
pub const EMAIL: &str = "ann@example.com";
/// Their password, typed into the emulator's login form.
pub const PASSWORD: &str = "correct-horse-battery";
/// The path of the MCP endpoint.
pub const MCP_PATH: &str = "/mcp";
/// What each tool needs beyond a valid token for this server.
pub const TOOL_SCOPES: &[(&str, &str)] = &[("my_profile", "profile")];

/// The MCP tools.
#[derive(Clone)]
pub struct Tools {
    admin: ManagementClient,
    tool_router: ToolRouter<Self>,
}

fn claims(ctx: &RequestContext<RoleServer>) -> Result<BearerClaims, ErrorData> {
    ctx.extensions
        .get::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<BearerClaims>())
        .cloned()
        .ok_or_else(|| ErrorData::internal_error("no verified token on the request", None))
}

#[tool_router]
impl Tools {
    /// The tools, calling GenAuth with `admin` (the server's own credentials).
    pub fn new(admin: ManagementClient) -> Self {
        Self {
            admin,
            tool_router: Self::tool_router(),
        }
    }

    #[tool(description = "Who is calling: the verified claims of the caller's GenAuth token.")]
    async fn whoami(&self, ctx: RequestContext<RoleServer>) -> Result<CallToolResult, ErrorData> {
        let c = claims(&ctx)?;
        Ok(CallToolResult::success(vec![ContentBlock::json(
            serde_json::json!({
                "sub": c.sub,
                "scope": c.scope,
                "aud": c.aud,
                "iss": c.iss,
                "client_id": c.client_id,
            }),
        )?]))
    }

    #[tool(
        description = "The caller's GenAuth profile (needs the `profile` scope), read by the server for the user."
    )]
    async fn my_profile(
        &self,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let c = claims(&ctx)?;
        let sub = c
            .sub
            .clone()
            .ok_or_else(|| ErrorData::invalid_request("the token names no user", None))?;
        // A per-user call made with the server's credentials: the caller's
        // token is for this server only and is never passed on.
        let user = self
            .admin
            .get_user(sub)
            .await
            .map_err(|e| ErrorData::internal_error(format!("GenAuth: {e}"), None))?;
        Ok(CallToolResult::success(vec![ContentBlock::json(
            serde_json::json!({
                "user_id": user.user_id,
                "email": user.email,
                "name": user.name,
                "nickname": user.nickname,
            }),
        )?]))
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Tools {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
    }
}

/// The scope a JSON-RPC message needs: that of the tool it calls, if any.
fn scope_needed(body: &[u8]) -> Option<&'static str> {
    #[derive(Deserialize)]
    struct Message {
        method: Option<String>,
        params: Option<Params>,
    }
    #[derive(Deserialize)]
    struct Params {
        name: Option<String>,
    }
    let msg: Message = serde_json::from_slice(body).ok()?;
    if msg.method.as_deref() != Some("tools/call") {
        return None;
    }
    let name = msg.params?.name?;
    TOOL_SCOPES
        .iter()
        .find(|(tool, _)| *tool == name)
        .map(|(_, scope)| *scope)
}

/// The longest MCP message read here (rmcp's own default cap).
const MAX_MESSAGE: usize = 4 * 1024 * 1024;

/// Refuses a tool call whose token lacks the tool's scope with 403
/// `insufficient_scope` naming it, before rmcp sees the message: the HTTP
/// status is what tells an MCP client to step up.
async fn require_tool_scopes(
    State(resource): State<Arc<ProtectedResource>>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_MESSAGE).await else {
        return StatusCode::PAYLOAD_TOO_LARGE.into_response();
    };
    if let Some(scope) = scope_needed(&bytes) {
        let granted = parts
            .extensions
            .get::<BearerClaims>()
            .is_some_and(|c| c.has_scope(scope));
        if !granted {
            return genauth_tower::resource::insufficient_scope(&resource, scope);
        }
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// The server's router: the MCP endpoint behind the guard (tokens for
/// `resource` only, as `verifier` says) and the tools' scopes, and the
/// resource metadata in front of it.
pub fn router(
    auth: &AuthenticationClient,
    admin: ManagementClient,
    resource: &ProtectedResource,
    verifier: TokenVerifier,
) -> Router {
    let guard = Guard::new(auth.clone())
        .verifier(verifier)
        .protected_resource(resource);
    let mcp: StreamableHttpService<Tools, LocalSessionManager> = StreamableHttpService::new(
        move || Ok(Tools::new(admin.clone())),
        Default::default(),
        StreamableHttpServerConfig::default(),
    );
    Router::new()
        .nest_service(MCP_PATH, mcp)
        .layer(middleware::from_fn_with_state(
            Arc::new(resource.clone()),
            require_tool_scopes,
        ))
        .layer(guard.layer())
        .merge(genauth_axum::protected_resource_routes(resource))
}

/// A running MCP server with its GenAuth emulator.
pub struct Running {
    /// The emulator: GenAuth.
    pub emulator: RunningEmulator,
    /// The MCP endpoint's URL, which is also the resource identifier.
    pub url: String,
    /// The resource description the server publishes.
    pub resource: ProtectedResource,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// What [`start`] may change for tests.
#[derive(Debug, Default)]
pub struct Setup {
    /// The emulator's token lifetimes (default: an hour for access tokens).
    pub lifetimes: Option<genauth_emulator::Lifetimes>,
    /// More resource servers the MCP clients' app may ask tokens for.
    pub other_resources: Vec<String>,
    /// The verifier's clock-skew allowance (default 30 s).
    pub leeway: Option<std::time::Duration>,
}

/// Starts the emulator (one user, the MCP clients' app, which may ask tokens
/// for this server) and the MCP server on 127.0.0.1.
pub async fn start(setup: Setup) -> BoxResult<Running> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}{MCP_PATH}", listener.local_addr()?);
    let mut app = App::public(CLIENT_ID)
        .redirect_uri(REDIRECT_URI)
        .resource(&url);
    for other in setup.other_resources {
        app = app.resource(other);
    }
    let mut builder = Emulator::builder()
        .user(
            TestUser::email(EMAIL)
                .with_password(PASSWORD)
                .with_name("Ann"),
        )
        .app(app);
    if let Some(l) = setup.lifetimes {
        builder = builder.lifetimes(l);
    }
    let emulator = builder.start().await?;

    // The server's view of GenAuth: the app's host, to verify tokens ...
    let auth =
        AuthenticationClient::new(AuthenticationClientOptions::new(CLIENT_ID, emulator.url()))?;
    // ... and an access key, to call GenAuth for a user.
    let admin = ManagementClient::new(
        ManagementClientOptions::new(DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET)
            .host(emulator.url()),
    )?;
    let resource = auth
        .protected_resource(url.as_str())?
        .scopes_supported(["openid", "profile", "offline_access"])
        .resource_name("genauth-rs example MCP server");
    // Only tokens issued for this server: the audience is its URL.
    let mut verifier = auth.token_verifier().audience(resource.uri());
    if let Some(leeway) = setup.leeway {
        verifier = verifier.leeway(leeway);
    }
    let app = router(&auth, admin, &resource, verifier);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(Running {
        emulator,
        url,
        resource,
        server,
    })
}

/// GET `url` with no token: the status, the `WWW-Authenticate` value and the body.
pub async fn get(url: &str) -> BoxResult<(StatusCode, Option<String>, Bytes)> {
    use http_body_util::BodyExt as _;
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;
    let client: Client<_, http_body_util::Empty<Bytes>> =
        Client::builder(TokioExecutor::new()).build_http();
    let resp = client.get(url.parse()?).await?;
    let status = resp.status();
    let challenge = resp
        .headers()
        .get(http::header::WWW_AUTHENTICATE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, challenge, body))
}

/// The discovery chain an MCP client follows: a request without a token gets
/// 401 with `resource_metadata`; that document is about this server and
/// names GenAuth's issuer. Returns the issuer.
pub async fn check_discovery(running: &Running) -> BoxResult<String> {
    let (status, challenge, _) = get(&running.url).await?;
    if status != StatusCode::UNAUTHORIZED {
        return Err(format!("a request without a token got {status}, not 401").into());
    }
    let challenge = challenge.ok_or("the 401 has no WWW-Authenticate header")?;
    let metadata_url = challenge
        .split("resource_metadata=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("the challenge names no resource_metadata: {challenge}"))?;
    println!("    401 WWW-Authenticate: {challenge}");
    let (status, _, body) = get(metadata_url).await?;
    let response = http::Response::builder().status(status).body(body)?;
    let metadata = parse_protected_resource_metadata(response, &running.url)?;
    println!("    {metadata_url}: {}", serde_json::to_string(&metadata)?);
    let issuer = metadata
        .authorization_servers
        .first()
        .ok_or("the metadata names no authorization server")?
        .clone();
    if issuer != running.emulator.issuer() {
        return Err(format!("the metadata names {issuer}, not GenAuth's issuer").into());
    }
    let (status, _, _) = get(&format!("{issuer}/.well-known/openid-configuration")).await?;
    if status != StatusCode::OK {
        return Err(format!("GenAuth's discovery document answered {status}").into());
    }
    println!("    {issuer}/.well-known/openid-configuration: 200");
    Ok(issuer)
}

#[tokio::main]
pub async fn main() -> BoxResult<()> {
    let serve = std::env::args().any(|a| a == "--serve");
    let running = start(Setup::default()).await?;
    println!("GenAuth emulator: {}", running.emulator.url());
    println!("MCP server:       {}", running.url);
    println!("\nThe discovery chain of an MCP client without a token:");
    check_discovery(&running).await?;
    if !serve {
        println!("\nok (run with `-- --serve` to keep serving)");
        return Ok(());
    }
    println!(
        "\nConnect an MCP client to {} with the pre-registered client id `{CLIENT_ID}` \
         (public, PKCE) and redirect URI {REDIRECT_URI}; log in as {EMAIL} / {PASSWORD}. \
         Ctrl-C stops.",
        running.url
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
