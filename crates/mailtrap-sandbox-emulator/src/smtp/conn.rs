//! The session's byte stream (plain TCP, then perhaps TLS) and line reading with limits.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
#[cfg(feature = "tls")]
use tokio_rustls::server::TlsStream;

/// A client connection.
#[derive(Debug)]
pub(crate) enum Conn {
    /// Plain TCP.
    Plain(TcpStream),
    /// After `STARTTLS`.
    #[cfg(feature = "tls")]
    Tls(Box<TlsStream<TcpStream>>),
    /// Taken apart during the TLS upgrade; reads end, writes fail.
    #[cfg(feature = "tls")]
    Closed,
}

impl AsyncRead for Conn {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Conn::Tls(stream) => Pin::new(stream.as_mut()).poll_read(cx, buf),
            #[cfg(feature = "tls")]
            Conn::Closed => Poll::Ready(Ok(())),
        }
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Conn::Tls(stream) => Pin::new(stream.as_mut()).poll_write(cx, buf),
            #[cfg(feature = "tls")]
            Conn::Closed => Poll::Ready(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_flush(cx),
            #[cfg(feature = "tls")]
            Conn::Tls(stream) => Pin::new(stream.as_mut()).poll_flush(cx),
            #[cfg(feature = "tls")]
            Conn::Closed => Poll::Ready(Ok(())),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Conn::Plain(stream) => Pin::new(stream).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Conn::Tls(stream) => Pin::new(stream.as_mut()).poll_shutdown(cx),
            #[cfg(feature = "tls")]
            Conn::Closed => Poll::Ready(Ok(())),
        }
    }
}

/// How reading a line ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    /// A whole line (line end included) is in the buffer.
    Complete,
    /// The line was longer than the limit; it was consumed and dropped.
    TooLong,
    /// No line end within the limit plus the drain allowance; the stream is out of step.
    Runaway,
    /// The client closed the connection (a partial last line is dropped).
    Eof,
}

/// Reads one line ending in LF into `buf` (cleared first). Lines longer than `limit` are
/// consumed without being kept, up to `drain` further bytes.
pub(crate) async fn read_line<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
    drain: usize,
) -> io::Result<Line> {
    buf.clear();
    let mut too_long = false;
    let mut dropped = 0usize;
    loop {
        let available = reader.fill_buf().await?;
        if available.is_empty() {
            return Ok(Line::Eof);
        }
        let (chunk, done) = match available.iter().position(|byte| *byte == b'\n') {
            Some(end) => (available.split_at(end + 1).0, true),
            None => (available, false),
        };
        let taken = chunk.len();
        if !too_long && buf.len() + taken > limit {
            too_long = true;
            dropped = buf.len();
            buf.clear();
        }
        if too_long {
            dropped += taken;
        } else {
            buf.extend_from_slice(chunk);
        }
        reader.consume(taken);
        if done {
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Complete
            });
        }
        if too_long && dropped > limit.saturating_add(drain) {
            return Ok(Line::Runaway);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn lines(input: &[u8], limit: usize, drain: usize) -> Vec<(Line, Vec<u8>)> {
        // A tiny buffer makes lines arrive in several pieces.
        let mut reader = tokio::io::BufReader::with_capacity(3, input);
        let mut out = Vec::new();
        let mut buf = Vec::new();
        loop {
            let line = read_line(&mut reader, &mut buf, limit, drain)
                .await
                .unwrap();
            out.push((line, buf.clone()));
            if matches!(line, Line::Eof | Line::Runaway) {
                return out;
            }
        }
    }

    #[tokio::test]
    async fn splits_lines_and_enforces_the_limit() {
        let out = lines(b"EHLO a\r\nNOOP 123456789\r\nQUIT\npartial", 10, 100).await;
        assert_eq!(
            out,
            [
                (Line::Complete, b"EHLO a\r\n".to_vec()),
                (Line::TooLong, Vec::new()),
                (Line::Complete, b"QUIT\n".to_vec()),
                (Line::Eof, b"partial".to_vec()),
            ]
        );
    }

    #[tokio::test]
    async fn runaway_line_stops_reading() {
        let input = vec![b'x'; 1000];
        let out = lines(&input, 10, 50).await;
        assert_eq!(out.last().map(|(line, _)| *line), Some(Line::Runaway));
    }
}
