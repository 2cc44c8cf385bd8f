//! The loopback server of `genauth login`: one HTTP listener on 127.0.0.1
//! that waits for the browser's redirect to `/callback`.

use std::future::Future;
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::Failure;

/// The path the login redirects to.
pub const CALLBACK_PATH: &str = "/callback";
/// The longest request head read, in bytes.
const MAX_HEAD: usize = 16 * 1024;

/// A listener on 127.0.0.1 for the login redirect.
pub struct Loopback {
    listener: TcpListener,
    /// `http://127.0.0.1:PORT/callback`.
    pub redirect_uri: String,
}

/// Reads one HTTP request head; returns its target when it is a GET.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < MAX_HEAD {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf);
    let line = head.lines().next()?;
    let mut parts = line.split(' ');
    (parts.next()? == "GET").then_some(())?;
    parts.next().map(str::to_owned)
}

async fn respond(stream: &mut TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><meta charset=utf-8><title>genauth</title><p>{text}</p>\n");
    let resp = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(resp.as_bytes()).await;
    let _ = stream.shutdown().await;
}

impl Loopback {
    /// Listens on `127.0.0.1:port` (0: any free port).
    pub async fn bind(port: u16) -> Result<Self, Failure> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.map_err(|e| {
            Failure::transport(format!(
                "cannot listen on 127.0.0.1:{port} for the login redirect: {e}"
            ))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Failure::transport(format!("cannot read the loopback address: {e}")))?;
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{}{CALLBACK_PATH}", addr.port()),
        })
    }

    /// Waits up to `wait` for `GET /callback?...` and hands its query to
    /// `handle`; the browser is told whether it succeeded. Other requests
    /// are answered (400 or 404) and the wait goes on. No redirect in time is
    /// a failure with exit status 3.
    pub async fn wait_callback<T, F, Fut>(
        &self,
        wait: Duration,
        mut handle: F,
    ) -> Result<T, Failure>
    where
        F: FnMut(String) -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let outcome = tokio::time::timeout(wait, async {
            loop {
                let (mut stream, _) =
                    self.listener.accept().await.map_err(|e| {
                        Failure::transport(format!("the login redirect failed: {e}"))
                    })?;
                let Some(target) = read_target(&mut stream).await else {
                    respond(&mut stream, "400 Bad Request", "Not a GET request.").await;
                    continue;
                };
                let (path, query) = target.split_once('?').unwrap_or((target.as_str(), ""));
                if path != CALLBACK_PATH {
                    respond(&mut stream, "404 Not Found", "Not the login callback.").await;
                    continue;
                }
                let result = handle(query.to_owned()).await;
                match &result {
                    Ok(_) => {
                        respond(&mut stream, "200 OK", "Signed in. You can close this tab.").await
                    }
                    Err(_) => {
                        respond(
                            &mut stream,
                            "400 Bad Request",
                            "The sign-in was refused; see the terminal.",
                        )
                        .await
                    }
                }
                return result;
            }
        })
        .await;
        outcome.unwrap_or_else(|_| {
            Err(Failure::transport(format!(
                "login timed out: no redirect reached {} within {} s; nothing was stored",
                self.redirect_uri,
                wait.as_secs()
            )))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(uri: &str, raw: &str) -> String {
        let addr = uri
            .strip_prefix("http://")
            .and_then(|r| r.split('/').next())
            .unwrap()
            .to_owned();
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(raw.as_bytes()).await.unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out).await;
        out
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn answers_strays_and_hands_the_callback_query_over() {
        rt().block_on(async {
            let lb = Loopback::bind(0).await.unwrap();
            assert!(lb.redirect_uri.starts_with("http://127.0.0.1:"));
            assert!(lb.redirect_uri.ends_with("/callback"));
            let uri = lb.redirect_uri.clone();
            let browser = tokio::spawn(async move {
                let stray = get(&uri, "GET /favicon.ico HTTP/1.1\r\n\r\n").await;
                let post = get(&uri, "POST /callback?code=x HTTP/1.1\r\n\r\n").await;
                let ok = get(
                    &uri,
                    "GET /callback?code=c1&state=s1 HTTP/1.1\r\nhost: x\r\n\r\n",
                )
                .await;
                (stray, post, ok)
            });
            let query = lb
                .wait_callback(Duration::from_secs(10), |q| async move { Ok(q) })
                .await
                .unwrap();
            assert_eq!(query, "code=c1&state=s1");
            let (stray, post, ok) = browser.await.unwrap();
            assert!(stray.starts_with("HTTP/1.1 404"), "{stray}");
            assert!(post.starts_with("HTTP/1.1 400"), "{post}");
            assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
            assert!(ok.contains("Signed in"));
        });
    }

    #[test]
    fn a_refused_callback_is_shown_to_the_browser_and_returned() {
        rt().block_on(async {
            let lb = Loopback::bind(0).await.unwrap();
            let uri = lb.redirect_uri.clone();
            let browser = tokio::spawn(async move {
                get(&uri, "GET /callback?code=c&state=forged HTTP/1.1\r\n\r\n").await
            });
            let e = lb
                .wait_callback(Duration::from_secs(10), |_| async {
                    Err::<(), _>(Failure::api("state mismatch"))
                })
                .await
                .unwrap_err();
            assert_eq!(
                (e.code, e.message.as_str()),
                (crate::EXIT_API, "state mismatch")
            );
            let page = browser.await.unwrap();
            assert!(page.starts_with("HTTP/1.1 400"), "{page}");
            assert!(page.contains("refused"));
        });
    }

    #[test]
    fn no_redirect_in_time_is_a_transport_failure() {
        rt().block_on(async {
            let lb = Loopback::bind(0).await.unwrap();
            let e = lb
                .wait_callback(Duration::from_millis(50), |_| async { Ok(()) })
                .await
                .unwrap_err();
            assert_eq!(e.code, crate::EXIT_TRANSPORT);
            assert!(e.message.starts_with("login timed out"), "{}", e.message);
            assert!(e.message.contains("nothing was stored"));
        });
    }
}
