//! Streaming downloads against a small in-process server: links followed verbatim, chunks
//! delivered as they come, `save_to` leaving nothing behind on failure, a 64 MiB body
//! streamed chunk by chunk.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::needless_pass_by_value
)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use futures_util::{StreamExt as _, TryStreamExt as _, stream};
use mailtrap_sandbox::{ApiErrorKind, Client, Error, RetryPolicy};
use serde_json::json;
use tokio::sync::mpsc;

/// An attachment link as the API gives it: the token holds `%2F`, `+` and `=`.
const PDF_PATH: &str =
    "/api/testing_message_parts/Zk9v%2FYmFy+cXV4%3D%3D--a1b2c3==/attachment_download";
const PNG_PATH: &str = "/api/testing_message_parts/UG5n%2B%2Fx+y=/attachment_download";
const PDF: &[u8] = b"%PDF-1.4\n%fake invoice\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake";

/// What the server answers on a path.
enum Content {
    Static {
        content_type: &'static str,
        disposition: Option<&'static str>,
        body: Bytes,
    },
    /// Chunks sent by the test, one at a time.
    Channel(mpsc::Receiver<Bytes>),
    /// Chunks, or a failure that breaks the connection, sent by the test.
    Fallible(mpsc::Receiver<Result<Bytes, std::io::Error>>),
    /// `size` bytes generated on the fly in 64 KiB chunks.
    Generated(usize),
    Status(StatusCode, &'static str),
}

#[derive(Clone, Default)]
struct Server {
    contents: Arc<Mutex<HashMap<String, Content>>>,
    /// Raw request targets (path and query) as they reached the server.
    seen: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn serve(&self, path: &str, content: Content) {
        self.contents
            .lock()
            .unwrap()
            .insert(path.to_owned(), content);
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    async fn start(&self) -> Client {
        let app = Router::new()
            .route(
                "/api/sandboxes/{sandbox}/messages/{message}/attachments",
                get(list_attachments),
            )
            .route(
                "/api/sandboxes/{sandbox}/messages/{message}/attachments/{id}",
                get(get_attachment),
            )
            .fallback(get(content))
            .with_state(self.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Client::builder()
            .api_token("f2-download-token")
            .base_url(format!("http://{address}"))
            .send_base_url(format!("http://{address}"))
            .retry(RetryPolicy::none())
            .build()
            .unwrap()
    }
}

fn attachment_json(id: u64, filename: &str, path: Option<&str>) -> serde_json::Value {
    json!({
        "id": id,
        "message_id": 5_273_448_410_u64,
        "filename": filename,
        "attachment_type": "attachment",
        "content_type": "application/pdf",
        "content_id": "",
        "transfer_encoding": "base64",
        "attachment_size": PDF.len(),
        "attachment_human_size": "31 Bytes",
        "created_at": "2024-11-05T10:15:02.123-12:00",
        "updated_at": "2024-11-05T10:15:02.123Z",
        "download_path": path,
    })
}

async fn list_attachments(State(server): State<Server>, uri: Uri) -> Response {
    server.seen.lock().unwrap().push(uri.to_string());
    axum::Json(json!([
        attachment_json(31, "invoice.pdf", Some(PDF_PATH)),
        attachment_json(32, "logo.png", None),
    ]))
    .into_response()
}

async fn get_attachment(State(server): State<Server>, uri: Uri) -> Response {
    server.seen.lock().unwrap().push(uri.to_string());
    let id: u64 = uri.path().rsplit('/').next().unwrap().parse().unwrap();
    match id {
        31 => axum::Json(attachment_json(31, "invoice.pdf", Some(PDF_PATH))).into_response(),
        32 => axum::Json(attachment_json(32, "logo.png", Some(PNG_PATH))).into_response(),
        33 => axum::Json(attachment_json(33, "gone.bin", None)).into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "Not Found"})),
        )
            .into_response(),
    }
}

async fn content(State(server): State<Server>, uri: Uri) -> Response {
    let target = uri
        .path_and_query()
        .map(ToString::to_string)
        .unwrap_or_default();
    server.seen.lock().unwrap().push(target);
    let Some(content) = server.contents.lock().unwrap().remove(uri.path()) else {
        return (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "Not Found"})),
        )
            .into_response();
    };
    match content {
        Content::Static {
            content_type,
            disposition,
            body,
        } => {
            let mut response = (
                [(header::CONTENT_TYPE, content_type)],
                Body::from(body.clone()),
            )
                .into_response();
            if let Some(disposition) = disposition {
                response
                    .headers_mut()
                    .insert(header::CONTENT_DISPOSITION, disposition.parse().unwrap());
            }
            // Keep the content for repeated downloads.
            server.serve(
                uri.path(),
                Content::Static {
                    content_type,
                    disposition,
                    body,
                },
            );
            response
        }
        Content::Channel(receiver) => {
            let chunks = stream::unfold(receiver, |mut receiver| async move {
                receiver
                    .recv()
                    .await
                    .map(|chunk| (Ok::<_, std::io::Error>(chunk), receiver))
            });
            Body::from_stream(chunks).into_response()
        }
        Content::Fallible(receiver) => {
            let chunks = stream::unfold(receiver, |mut receiver| async move {
                receiver.recv().await.map(|item| (item, receiver))
            });
            Body::from_stream(chunks).into_response()
        }
        Content::Generated(size) => {
            let chunk = Bytes::from(vec![0xA5_u8; 64 * 1024]);
            let count = size / chunk.len();
            let chunks =
                stream::iter((0..count).map(move |_| Ok::<_, std::io::Error>(chunk.clone())));
            (
                [(header::CONTENT_LENGTH, size.to_string())],
                Body::from_stream(chunks),
            )
                .into_response()
        }
        Content::Status(status, body) => (status, body).into_response(),
    }
}

/// Files in `dir`, sorted.
fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn attachment_links_are_followed_verbatim() {
    let server = Server::default();
    server.serve(
        PDF_PATH,
        Content::Static {
            content_type: "application/pdf",
            disposition: Some("attachment; filename=\"invoice.pdf\""),
            body: Bytes::from_static(PDF),
        },
    );
    server.serve(
        PNG_PATH,
        Content::Static {
            content_type: "image/png",
            disposition: None,
            body: Bytes::from_static(PNG),
        },
    );
    let client = server.start().await;
    let attachments = client.sandbox(7).message(5_273_448_410_u64).attachments();
    let listed = attachments.list().send().await.unwrap();

    let pdf = attachments.download(&listed[0]).await.unwrap();
    assert_eq!(pdf.content_type(), Some("application/pdf"));
    assert_eq!(pdf.filename().as_deref(), Some("invoice.pdf"));
    assert_eq!(pdf.content_length(), Some(PDF.len() as u64));
    assert_eq!(pdf.bytes().await.unwrap(), PDF);

    // Listed without a link: the metadata is fetched for it.
    let png = attachments.download(&listed[1]).await.unwrap();
    assert_eq!(png.bytes().await.unwrap(), PNG);
    let by_id = attachments.download_id(31_u64).await.unwrap();
    assert_eq!(by_id.bytes().await.unwrap(), PDF);
    let any_link = client.download_path(PNG_PATH).await.unwrap();
    assert_eq!(any_link.bytes().await.unwrap(), PNG);

    assert_eq!(
        server.seen(),
        [
            "/api/sandboxes/7/messages/5273448410/attachments",
            PDF_PATH,
            "/api/sandboxes/7/messages/5273448410/attachments/32",
            PNG_PATH,
            "/api/sandboxes/7/messages/5273448410/attachments/31",
            PDF_PATH,
            PNG_PATH,
        ]
    );
}

#[tokio::test]
async fn an_attachment_without_any_link_is_a_clear_error() {
    let server = Server::default();
    let client = server.start().await;
    let err = client
        .sandbox(7)
        .message(1_u64)
        .attachments()
        .download_id(33_u64)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(
        err.to_string(),
        "invalid argument: attachment 33 has no download_path in the API's answer, so its content cannot be downloaded"
    );
}

#[tokio::test]
async fn bad_paths_are_refused_before_any_request() {
    let server = Server::default();
    let client = server.start().await;
    for path in [
        "https://elsewhere.example.test/x",
        "//elsewhere.example.test/x",
        "relative",
    ] {
        let err = client.download_path(path).await.unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{path}: {err:?}");
    }
    assert!(server.seen().is_empty());
}

#[tokio::test]
async fn chunks_arrive_as_the_server_sends_them() {
    let server = Server::default();
    let (sender, receiver) = mpsc::channel(1);
    server.serve(
        "/api/sandboxes/7/messages/9/body.raw",
        Content::Channel(receiver),
    );
    let client = server.start().await;
    let download = client
        .sandbox(7)
        .message(9_u64)
        .download_raw()
        .await
        .unwrap();
    // Chunked: no length announced.
    assert_eq!(download.content_length(), None);
    let mut stream = download.into_stream();
    // Each chunk is read before the next one even exists on the server: nothing waits for
    // the whole body.
    for part in [
        "Received: from a\r\n",
        "Subject: streamed\r\n",
        "\r\nbody\r\n",
    ] {
        sender.send(Bytes::from(part)).await.unwrap();
        let mut got = Vec::new();
        while got.len() < part.len() {
            got.extend_from_slice(&stream.try_next().await.unwrap().unwrap());
        }
        assert_eq!(got, part.as_bytes());
    }
    drop(sender);
    assert!(stream.try_next().await.unwrap().is_none());
}

#[tokio::test]
async fn eml_downloads_parse_and_save() {
    let eml = "From: app@example.test\r\nTo: ana@example.test\r\nSubject: Saved\r\n\r\nHello\r\n";
    let server = Server::default();
    server.serve(
        "/api/sandboxes/7/messages/9/body.eml",
        Content::Static {
            content_type: "message/rfc822",
            disposition: Some("attachment; filename=\"Saved.eml\""),
            body: Bytes::from(eml),
        },
    );
    let client = server.start().await;
    let message = client.sandbox(7).message(9_u64);
    let download = message.download_eml().await.unwrap();
    assert_eq!(download.filename().as_deref(), Some("Saved.eml"));
    assert_eq!(download.content_type(), Some("message/rfc822"));
    assert_eq!(download.text().await.unwrap(), eml);
    assert_eq!(message.eml().await.unwrap().subject(), Some("Saved"));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.eml");
    std::fs::write(&path, "previous content").unwrap();
    let written = message
        .download_eml()
        .await
        .unwrap()
        .save_to(&path)
        .await
        .unwrap();
    assert_eq!(written, eml.len() as u64);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), eml);
    assert_eq!(files_in(dir.path()), ["saved.eml"]);

    let mut sink = Vec::new();
    let written = message
        .download_eml()
        .await
        .unwrap()
        .write_to(&mut sink)
        .await
        .unwrap();
    assert_eq!(
        (written, sink.as_slice()),
        (eml.len() as u64, eml.as_bytes())
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_message_is_a_decode_error() {
    let server = Server::default();
    server.serve(
        "/api/sandboxes/7/messages/9/body.eml",
        Content::Static {
            content_type: "message/rfc822",
            disposition: None,
            body: Bytes::from_static(b"  \r\n"),
        },
    );
    let client = server.start().await;
    let err = client.sandbox(7).message(9_u64).eml().await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("not an email message"), "{err}");
}

/// Serves a body that breaks after `first`: the headers and `first` go out, then the
/// connection fails.
async fn breaking_download(
    server: &Server,
    client: &Client,
    first: Bytes,
) -> mailtrap_sandbox::Download {
    let (sender, receiver) = mpsc::channel(2);
    server.serve(
        "/api/sandboxes/7/messages/9/body.eml",
        Content::Fallible(receiver),
    );
    sender.send(Ok(first)).await.unwrap();
    let download = client
        .sandbox(7)
        .message(9_u64)
        .download_eml()
        .await
        .unwrap();
    sender
        .send(Err(std::io::Error::other("disk on fire")))
        .await
        .unwrap();
    download
}

#[tokio::test]
async fn a_failure_mid_stream_leaves_no_file_behind() {
    let server = Server::default();
    let client = server.start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("message.eml");

    // Nothing there before: nothing there after.
    let download = breaking_download(&server, &client, Bytes::from(vec![b'x'; 256 * 1024])).await;
    let err = download.save_to(&path).await.unwrap_err();
    assert!(matches!(err, Error::MaybeApplied(_)), "{err:?}");
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );

    // A file already there is left untouched.
    std::fs::write(&path, "the good copy").unwrap();
    let download = breaking_download(&server, &client, Bytes::from(vec![b'y'; 1024])).await;
    assert!(download.save_to(&path).await.is_err());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "the good copy");
    assert_eq!(files_in(dir.path()), ["message.eml"]);

    // The stream form reports the failure as its last item.
    let download = breaking_download(&server, &client, Bytes::from_static(b"partial")).await;
    let items: Vec<mailtrap_sandbox::Result<Bytes>> = download.into_stream().collect().await;
    assert!(items.last().unwrap().is_err(), "{items:?}");
}

#[tokio::test]
async fn a_dropped_save_leaves_no_file_behind() {
    let server = Server::default();
    let (sender, receiver) = mpsc::channel(1);
    server.serve(
        "/api/sandboxes/7/messages/9/body.eml",
        Content::Channel(receiver),
    );
    let client = server.start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("partial.eml");
    let download = client
        .sandbox(7)
        .message(9_u64)
        .download_eml()
        .await
        .unwrap();
    let save = tokio::spawn({
        let path = path.clone();
        async move { download.save_to(&path).await }
    });
    sender
        .send(Bytes::from_static(b"From: a@example.test\r\n"))
        .await
        .unwrap();
    // Wait until the temporary file exists (the first chunk is being written).
    while files_in(dir.path()).is_empty() {
        tokio::task::yield_now().await;
    }
    let temp = files_in(dir.path());
    assert!(temp[0].starts_with(".partial.eml.part-"), "{temp:?}");
    save.abort();
    assert!(save.await.unwrap_err().is_cancelled());
    assert!(
        files_in(dir.path()).is_empty(),
        "{:?}",
        files_in(dir.path())
    );
}

#[tokio::test]
async fn saving_into_a_missing_folder_is_an_io_error_naming_it() {
    let server = Server::default();
    server.serve(
        "/api/sandboxes/7/messages/9/body.raw",
        Content::Static {
            content_type: "text/plain",
            disposition: None,
            body: Bytes::from_static(b"raw"),
        },
    );
    let client = server.start().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no-such-folder").join("raw.txt");
    let err = client
        .sandbox(7)
        .message(9_u64)
        .download_raw()
        .await
        .unwrap()
        .save_to(&path)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Io {
                action: "create",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("could not create "), "{err}");
    assert!(err.to_string().contains("no-such-folder"), "{err}");
}

#[tokio::test]
async fn error_statuses_map_to_api_errors() {
    let server = Server::default();
    server.serve(
        "/api/sandboxes/7/messages/9/body.raw",
        Content::Status(StatusCode::CONFLICT, "Conflict"),
    );
    let client = server.start().await;
    let message = client.sandbox(7).message(9_u64);
    let err = message.download_raw().await.unwrap_err();
    assert_eq!(err.kind(), Some(ApiErrorKind::MissingPart), "{err}");
    let err = message.download_eml().await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
    // The secret link token never shows in errors.
    let err = client.download_path(PDF_PATH).await.unwrap_err();
    assert!(!err.to_string().contains("Zk9v"), "{err}");
}

#[tokio::test]
async fn a_64_mib_body_streams_in_small_chunks() {
    const SIZE: usize = 64 * 1024 * 1024;
    let server = Server::default();
    server.serve(
        "/api/sandboxes/7/messages/9/body.eml",
        Content::Generated(SIZE),
    );
    let client = server.start().await;
    let download = client
        .sandbox(7)
        .message(9_u64)
        .download_eml()
        .await
        .unwrap();
    assert_eq!(download.content_length(), Some(SIZE as u64));
    let (total, chunks, largest, all_a5) = download
        .into_stream()
        .try_fold(
            (0_usize, 0_usize, 0_usize, true),
            |(total, chunks, largest, ok), chunk| async move {
                let ok = ok && chunk.iter().all(|b| *b == 0xA5);
                Ok((
                    total + chunk.len(),
                    chunks + 1,
                    largest.max(chunk.len()),
                    ok,
                ))
            },
        )
        .await
        .unwrap();
    assert_eq!(total, SIZE);
    assert!(all_a5);
    // The body came as many chunks of bounded size, never as one buffer.
    assert!(chunks >= 64, "{chunks} chunks");
    assert!(largest <= 1024 * 1024, "largest chunk {largest} bytes");

    // And to a file, without holding it.
    server.serve(
        "/api/sandboxes/7/messages/9/body.eml",
        Content::Generated(SIZE),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.eml");
    let written = client
        .sandbox(7)
        .message(9_u64)
        .download_eml()
        .await
        .unwrap()
        .save_to(&path)
        .await
        .unwrap();
    assert_eq!(written, SIZE as u64);
    assert_eq!(std::fs::metadata(&path).unwrap().len(), SIZE as u64);
}

#[tokio::test]
async fn streams_are_send_and_usable_with_stream_combinators() {
    let server = Server::default();
    server.serve(
        "/api/sandboxes/7/messages/9/body.raw",
        Content::Static {
            content_type: "text/plain",
            disposition: None,
            body: Bytes::from_static(b"abc"),
        },
    );
    let client = server.start().await;
    let stream = client
        .sandbox(7)
        .message(9_u64)
        .download_raw()
        .await
        .unwrap()
        .into_stream();
    let collected = tokio::spawn(async move {
        stream
            .map(|chunk| chunk.unwrap().len())
            .collect::<Vec<_>>()
            .await
    })
    .await
    .unwrap();
    assert_eq!(collected.iter().sum::<usize>(), 3);
}
