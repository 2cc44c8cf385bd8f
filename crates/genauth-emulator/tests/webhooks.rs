//! Webhook deliveries: the emulator POSTs user events to a configured URL,
//! and `genauth_core::webhook::verify` accepts them.

use crate::common;

use crate::common::{Tokens, User as UserDto};
use genauth_core::webhook::{self, WebhookEvent};
use genauth_core::{Brand, SecretString};
use genauth_emulator::{Emulator, TestUser, Webhook};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

op!(
    CreateUser,
    POST,
    "/api/v3/create-user",
    ManagementToken,
    Json,
    UserDto
);
op!(
    UpdateUser,
    POST,
    "/api/v3/update-user",
    ManagementToken,
    Json,
    UserDto
);
op!(
    DeleteUsers,
    POST,
    "/api/v3/delete-users-batch",
    ManagementToken,
    Json,
    Value
);
op!(
    SignIn,
    POST,
    "/api/v3/signin",
    AppBasicOrToken,
    Json,
    Tokens
);

/// A loopback receiver: each request's headers and body, answered 200.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(http::HeaderMap, Vec<u8>)>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks/genauth", listener.local_addr().unwrap());
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, len) = loop {
                let n = s.read(&mut chunk).await.unwrap();
                assert!(n > 0, "connection closed before the body");
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                    let len = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map(|v| v.trim().parse::<usize>().unwrap())
                        .unwrap_or(0);
                    break (i + 4, len);
                }
            };
            while buf.len() < head_end + len {
                let n = s.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
            }
            let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
            let mut headers = http::HeaderMap::new();
            for line in head.lines().skip(1).filter(|l| !l.is_empty()) {
                let (k, v) = line.split_once(':').unwrap();
                headers.append(
                    http::HeaderName::from_bytes(k.trim().as_bytes()).unwrap(),
                    v.trim().parse().unwrap(),
                );
            }
            assert!(
                head.starts_with("POST /hooks/genauth HTTP/1.1\r\n"),
                "{head}"
            );
            s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .await
                .unwrap();
            let _ = tx.send((headers, buf[head_end..head_end + len].to_vec()));
        }
    });
    (url, rx)
}

#[tokio::test]
async fn user_events_are_delivered_and_verify() {
    for brand in Brand::ALL {
        let (url, mut rx) = receiver().await;
        let emu = Emulator::builder()
            .user(TestUser::email("hook@example.com").with_password("pw-hook-1"))
            .webhook(Webhook::new(url, "hook-secret").brand(brand))
            .start()
            .await
            .unwrap();
        let mgmt = common::management(&emu);
        let auth = common::authentication(&emu);
        let created = mgmt
            .send(&CreateUser(
                json!({"email": "new@example.com", "nickname": "New"}),
            ))
            .await
            .unwrap();
        mgmt.send(&UpdateUser(
            json!({"userId": created.user_id, "nickname": "Renamed"}),
        ))
        .await
        .unwrap();
        auth.send(&SignIn(json!({
            "connection": "PASSWORD",
            "passwordPayload": {"email": "hook@example.com", "password": "pw-hook-1"},
            "client_id": genauth_emulator::DEFAULT_APP_ID,
            "client_secret": genauth_emulator::DEFAULT_APP_SECRET
        })))
        .await
        .unwrap();
        mgmt.send(&DeleteUsers(json!({"userIds": [created.user_id]})))
            .await
            .unwrap();

        let secret = SecretString::from("hook-secret".to_owned());
        let mut events = Vec::new();
        for _ in 0..4 {
            let (headers, body) =
                tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
                    .await
                    .expect("a delivery within 10 s")
                    .unwrap();
            let d = webhook::verify(&headers, &body, &secret).unwrap();
            assert_eq!(d.brand, brand);
            assert_eq!(d.userpool_id.as_deref(), Some(emu.userpool_id()));
            // The wrong secret is refused.
            assert_eq!(
                webhook::verify(&headers, &body, &SecretString::from("other".to_owned()))
                    .unwrap_err(),
                webhook::WebhookError::WrongSecret
            );
            events.push(d.event);
        }
        match &events[0] {
            WebhookEvent::Register(u) => {
                assert_eq!(u.id, created.user_id);
                assert_eq!(u.email.as_deref(), Some("new@example.com"));
            }
            e => panic!("{brand}: expected register, got {e:?}"),
        }
        match &events[1] {
            WebhookEvent::UserUpdated(u) => {
                assert_eq!(u.user.id, created.user_id);
                assert_eq!(u.user.nickname.as_deref(), Some("Renamed"));
                assert_eq!(u.updates["nickname"], "Renamed");
            }
            e => panic!("{brand}: expected user:updated, got {e:?}"),
        }
        match &events[2] {
            WebhookEvent::Login(u) => assert_eq!(u.email.as_deref(), Some("hook@example.com")),
            e => panic!("{brand}: expected login, got {e:?}"),
        }
        assert_eq!(
            events[3],
            WebhookEvent::Other {
                event_name: "user:deleted".into(),
                data: json!({"userId": created.user_id}),
            }
        );
        // Acknowledged deliveries are counted.
        for _ in 0..50 {
            if emu.webhook_deliveries() == 4 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(emu.webhook_deliveries(), 4);
        assert_eq!(emu.webhook_failures(), 0);
    }
}

#[tokio::test]
async fn an_unreachable_receiver_is_counted_as_failed() {
    // A port nobody listens on (bound then dropped).
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/", l.local_addr().unwrap());
    drop(l);
    let emu = Emulator::builder()
        .webhook(Webhook::new(url, "s"))
        .start()
        .await
        .unwrap();
    common::management(&emu)
        .send(&CreateUser(json!({"email": "x@example.com"})))
        .await
        .unwrap();
    for _ in 0..100 {
        if emu.webhook_failures() == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(emu.webhook_failures(), 1);
    assert_eq!(emu.webhook_deliveries(), 0);
}
