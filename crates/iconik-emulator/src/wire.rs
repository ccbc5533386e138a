//! What the server hands to hyper: the socket wrapper that can end in a TCP
//! reset, and the response body that can be cut short.

use hyper::body::{Body, Bytes, Frame, SizeHint};
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A TCP stream that, when `reset` was set before it is dropped, closes with
/// `SO_LINGER` 0 so the peer sees a reset (RST) rather than an orderly FIN.
pub(crate) struct Conn {
    inner: TcpStream,
    reset: Arc<AtomicBool>,
}

impl Conn {
    pub(crate) fn new(inner: TcpStream, reset: Arc<AtomicBool>) -> Conn {
        Conn { inner, reset }
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        if self.reset.load(Ordering::SeqCst) {
            let _ = self.inner.set_zero_linger();
        }
    }
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// A response body: all of it, or a prefix followed by an error (hyper then
/// aborts the connection, so the client sees fewer bytes than
/// `Content-Length` promised, then EOF).
pub(crate) struct EmuBody {
    data: Option<Bytes>,
    truncated: bool,
    /// Whether the truncated body already yielded once, so hyper flushed
    /// the head and the prefix before the error aborts the connection.
    yielded: bool,
    exact: u64,
}

impl EmuBody {
    pub(crate) fn full(data: Bytes) -> EmuBody {
        let exact = data.len() as u64;
        EmuBody {
            data: (!data.is_empty()).then_some(data),
            truncated: false,
            yielded: false,
            exact,
        }
    }

    pub(crate) fn truncated(prefix: Bytes) -> EmuBody {
        EmuBody {
            data: Some(prefix),
            truncated: true,
            yielded: false,
            exact: 0,
        }
    }
}

impl Body for EmuBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(d) = self.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(d))));
        }
        if self.truncated && !self.yielded {
            // hyper flushes what it buffered while the body is pending.
            self.yielded = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        if self.truncated {
            self.truncated = false;
            return Poll::Ready(Some(Err(io::Error::other(
                "body truncated by fault injection",
            ))));
        }
        Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        self.data.is_none() && !self.truncated
    }

    fn size_hint(&self) -> SizeHint {
        if self.truncated {
            SizeHint::default()
        } else {
            SizeHint::with_exact(self.exact)
        }
    }
}
