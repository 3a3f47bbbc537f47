//! A misbehaving HTTP server on a real socket (127.0.0.1, a free port): each request gets the
//! next scripted reply (the last one repeats): an answer, a hang, a reset before or after the
//! headers, a truncated or slow body. It records every request it read, so a test can check
//! that nothing that must not be repeated was. Shared by the facade's tests
//! (`tests/tests/facade_misbehaving.rs`) and the CLI's (`crates/mailtrap-sandbox-cli/tests`).
// Test support: a broken socket in the helper should stop the test with a message.
#![allow(clippy::unwrap_used, clippy::missing_panics_doc)]

use std::io::{Read as _, Write as _};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does with one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// Answers with this status, extra headers and JSON body.
    Answer {
        status: u16,
        headers: Vec<(String, String)>,
        body: String,
    },
    /// Reads the request and never answers (the connection stays open).
    Hang,
    /// Closes the connection with a reset before any byte of the answer.
    ResetBeforeHeaders,
    /// Sends the status line and headers of a 200 with a body, then resets.
    ResetAfterHeaders,
    /// Sends a 200 whose body stops halfway, then closes.
    Truncated,
    /// Sends a 200 whose body comes one byte every 300 ms.
    SlowBody(String),
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, body: &str) -> Self {
        Self::Answer {
            status,
            headers: Vec::new(),
            body: body.to_owned(),
        }
    }

    /// A JSON answer with a header.
    pub fn json_with(status: u16, header: (&str, &str), body: &str) -> Self {
        Self::Answer {
            status,
            headers: vec![(header.0.to_owned(), header.1.to_owned())],
            body: body.to_owned(),
        }
    }
}

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
}

/// The running server; stops accepting when dropped (hung connections stay until the test
/// process ends).
#[derive(Debug)]
pub struct Misbehaving {
    pub base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Misbehaving {
    /// Starts a server that answers requests with `script`, in order (the last repeats).
    pub fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new((script, 0usize)));
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                let record = Arc::clone(&record);
                let script = Arc::clone(&script);
                std::thread::spawn(move || serve(stream, &record, &script));
            }
        });
        Self { base_url, seen }
    }

    /// The requests read so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// How many requests with this method were read.
    pub fn count(&self, method: &str) -> usize {
        self.seen()
            .iter()
            .filter(|seen| seen.method == method)
            .count()
    }
}

fn serve(mut stream: TcpStream, record: &Mutex<Vec<Seen>>, script: &Mutex<(Vec<Reply>, usize)>) {
    loop {
        let Some(seen) = read_request(&mut stream) else {
            return;
        };
        record.lock().unwrap().push(seen);
        let reply = {
            let mut script = script.lock().unwrap();
            let (replies, next) = &mut *script;
            let index = (*next).min(replies.len().saturating_sub(1));
            *next += 1;
            replies.get(index).cloned().unwrap_or(Reply::Hang)
        };
        match reply {
            Reply::Answer {
                status,
                headers,
                body,
            } => {
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if stream.write_all(head.as_bytes()).is_err()
                    || stream.write_all(body.as_bytes()).is_err()
                {
                    return;
                }
            }
            Reply::Hang => {
                std::thread::sleep(Duration::from_secs(3600));
                return;
            }
            Reply::ResetBeforeHeaders => {
                reset(stream);
                return;
            }
            Reply::ResetAfterHeaders => {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n",
                );
                let _ = stream.flush();
                std::thread::sleep(Duration::from_millis(50));
                reset(stream);
                return;
            }
            Reply::Truncated => {
                let _ = stream.write_all(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"success\": tr",
                );
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Reply::SlowBody(body) => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for byte in body.bytes() {
                    std::thread::sleep(Duration::from_millis(300));
                    if stream.write_all(&[byte]).is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// Closes with RST rather than FIN (linger 0).
fn reset(stream: TcpStream) {
    let socket = socket2::SockRef::from(&stream);
    let _ = socket.set_linger(Some(Duration::ZERO));
    drop(stream);
}

/// Reads one request (head and `Content-Length` body); `None` when the client closed.
fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buffer = Vec::new();
    let mut byte = [0u8; 1];
    while !buffer.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buffer.extend_from_slice(&byte);
    }
    let head = String::from_utf8_lossy(&buffer).into_owned();
    let mut words = head.split_whitespace();
    let method = words.next()?.to_owned();
    let path = words.next()?.to_owned();
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(Seen { method, path })
}
