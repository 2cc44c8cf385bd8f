//! `Call`: an operation bound to a client, awaited to send it.

use std::future::{Future, IntoFuture};
use std::pin::Pin;

use genauth_core::{Error, Operation};

/// An operation ready to be sent by a client.
///
/// Generated client methods return a `Call` holding the required parameters;
/// optional ones are set with its chained setters, and `.await` sends it:
///
/// ```no_run
/// # async fn f(client: genauth_tower::ManagementClient) -> Result<(), genauth_tower::Error> {
/// let user = client.get_user("6059d2f1c6a5e8f1a1b7f1c0").await?;
/// # Ok(()) }
/// ```
#[must_use = "a Call does nothing until it is awaited"]
pub struct Call<'a, C, O> {
    client: &'a C,
    op: O,
}

impl<'a, C, O> Call<'a, C, O> {
    /// Binds `op` to `client`.
    pub fn new(client: &'a C, op: O) -> Self {
        Self { client, op }
    }
    /// The operation's parameters.
    pub fn op(&self) -> &O {
        &self.op
    }
    /// The operation's parameters, to change before sending.
    pub fn op_mut(&mut self) -> &mut O {
        &mut self.op
    }
    /// Takes the operation out, e.g. to encode it with `genauth-core` directly.
    pub fn into_op(self) -> O {
        self.op
    }
    /// The client and the operation.
    pub(crate) fn into_parts(self) -> (&'a C, O) {
        (self.client, self.op)
    }
    /// Changes the operation's parameters with a closure.
    pub fn with(mut self, f: impl FnOnce(&mut O)) -> Self {
        f(&mut self.op);
        self
    }
}

impl<C, O: std::fmt::Debug> std::fmt::Debug for Call<'_, C, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("op", &self.op)
            .finish_non_exhaustive()
    }
}

/// A boxed, `Send` future of a call's result.
pub type CallFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// A client that can send operations (both clients implement it).
pub trait SendOperation {
    /// Sends `op` and decodes its output.
    fn send_operation<'a, O>(&'a self, op: O) -> CallFuture<'a, O::Output>
    where
        O: Operation + Send + Sync + 'a,
        O::Output: Send + 'a;
}

impl<'a, C, O> IntoFuture for Call<'a, C, O>
where
    C: SendOperation,
    O: Operation + Send + Sync + 'a,
    O::Output: Send + 'a,
{
    type Output = Result<O::Output, Error>;
    type IntoFuture = CallFuture<'a, O::Output>;

    fn into_future(self) -> Self::IntoFuture {
        self.client.send_operation(self.op)
    }
}

impl<'a, O> Call<'a, crate::AuthenticationClient, O> {
    /// Sends this call on behalf of the end user whose access token is
    /// `token`, instead of with the client's own token: one client serves many
    /// users, with no clone and no lock per call.
    ///
    /// ```no_run
    /// # async fn f(auth: genauth_tower::AuthenticationClient, token: genauth_tower::core::SecretString) -> Result<(), genauth_tower::Error> {
    /// let me = auth.get_profile().user_token(&token).await?;
    /// # let _ = me; Ok(()) }
    /// ```
    pub fn user_token(self, token: &'a genauth_core::SecretString) -> UserCall<'a, O> {
        UserCall {
            client: self.client,
            op: self.op,
            token,
        }
    }
}

/// A [`Call`] bound to an end user's access token (see [`Call::user_token`]).
#[must_use = "a UserCall does nothing until it is awaited"]
pub struct UserCall<'a, O> {
    client: &'a crate::AuthenticationClient,
    op: O,
    token: &'a genauth_core::SecretString,
}

impl<O: std::fmt::Debug> std::fmt::Debug for UserCall<'_, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserCall")
            .field("op", &self.op)
            .finish_non_exhaustive()
    }
}

impl<'a, O> IntoFuture for UserCall<'a, O>
where
    O: Operation + Send + Sync + 'a,
    O::Output: Send + 'a,
{
    type Output = Result<O::Output, Error>;
    type IntoFuture = CallFuture<'a, O::Output>;

    fn into_future(self) -> Self::IntoFuture {
        let (client, op, token) = (self.client, self.op, self.token);
        Box::pin(async move { client.send_as(&op, token).await })
    }
}
