//! The request body type: bytes whose `Debug` shows only their length.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};

/// A request body held in memory.
///
/// Bodies carry passwords and secrets (sign-in, token requests), so `Debug`
/// prints only the length. It implements [`http_body::Body`] as a single data
/// frame, and cloning it is cheap, so a request can be replayed.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Body {
    data: Bytes,
}

impl Body {
    /// An empty body.
    pub fn empty() -> Self {
        Self::default()
    }
    /// The bytes not yet sent.
    pub fn as_bytes(&self) -> &Bytes {
        &self.data
    }
    /// The bytes, taken out.
    pub fn into_bytes(self) -> Bytes {
        self.data
    }
    /// The length in bytes.
    pub fn len(&self) -> usize {
        self.data.len()
    }
    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Body({} bytes)", self.data.len())
    }
}

impl From<Bytes> for Body {
    fn from(data: Bytes) -> Self {
        Self { data }
    }
}

impl From<Vec<u8>> for Body {
    fn from(data: Vec<u8>) -> Self {
        Self { data: data.into() }
    }
}

impl From<String> for Body {
    fn from(data: String) -> Self {
        Self { data: data.into() }
    }
}

impl From<&'static str> for Body {
    fn from(data: &'static str) -> Self {
        Self {
            data: Bytes::from_static(data.as_bytes()),
        }
    }
}

impl http_body::Body for Body {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let data = std::mem::take(&mut self.data);
        if data.is_empty() {
            Poll::Ready(None)
        } else {
            Poll::Ready(Some(Ok(Frame::data(data))))
        }
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_empty()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.data.len() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_only_the_length() {
        let b = Body::from(r#"{"password":"p4ss"}"#);
        assert_eq!(format!("{b:?}"), "Body(19 bytes)");
    }
}
