//! stdin and stdout for the protocol, read and written through the runtime's event loop when
//! they are pipes or sockets (what every editor gives a language server).
//!
//! `tokio::io::stdin()` and `stdout()` do each read and write on a blocking-pool thread: every
//! message in and out costs a hand-over between threads, about a tenth of a millisecond per
//! request on this kind of machine. A pipe or a socket can be made non-blocking and watched by
//! the runtime instead, so the thread that is woken by the client's bytes reads them, and the task
//! that has a frame writes it itself. Anything else (a terminal, a regular file given as stdin)
//! keeps tokio's blocking streams.
//!
//! Making a descriptor non-blocking changes the open file description, which this process alone
//! holds for the pipes and sockets an editor creates; stdout carries only protocol frames.
//!
//! Must not know: JSON-RPC or LSP; this is bytes only.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;
use tokio::net::UnixStream;

/// The protocol's input.
pub enum Input {
    Pipe(pipe::Receiver),
    Socket(UnixStream),
    Blocking(tokio::io::Stdin),
}

/// The protocol's output.
pub enum Output {
    Pipe(pipe::Sender),
    Socket(UnixStream),
    Blocking(tokio::io::Stdout),
}

/// `fd` (a copy of it) as a pipe end (`pipe`, which refuses anything but a pipe) or as a stream
/// socket: Node.js and Neovim (libuv) give a child a socket pair where Python and Helix give it
/// pipes. `None` for anything else; the copy is closed again.
fn adopt<T>(
    fd: BorrowedFd<'_>,
    pipe: impl FnOnce(OwnedFd) -> io::Result<T>,
    socket: impl FnOnce(UnixStream) -> T,
) -> Option<T> {
    if let Ok(end) = fd.try_clone_to_owned().and_then(pipe) {
        return Some(end);
    }
    let stream = std::os::unix::net::UnixStream::from(fd.try_clone_to_owned().ok()?);
    // `SO_ERROR` can be read from any socket and from nothing else.
    stream.take_error().ok()?;
    stream.set_nonblocking(true).ok()?;
    UnixStream::from_std(stream).ok().map(socket)
}

/// What the stdout pipe's buffer is grown to, where it is smaller. With the default 64 KiB a
/// 107 KB answer (the outline of a 1,000-line file) goes through in several rounds of the
/// server filling the pipe and the client draining it; in one this way. Only stdout, and no
/// more than this: the kernel counts every pipe's buffer against the user's limit
/// (`pipe-user-pages-soft`, 64 MiB by default).
const PIPE_SIZE: usize = 256 * 1024;

/// Grows the pipe of `fd` to [`PIPE_SIZE`] where the system allows it; never shrinks it. Linux
/// only (elsewhere pipes keep their size).
fn grow_pipe(fd: BorrowedFd<'_>) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if rustix::pipe::fcntl_getpipe_size(fd).is_ok_and(|size| size < PIPE_SIZE) {
        let _ = rustix::pipe::fcntl_setpipe_size(fd, PIPE_SIZE);
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = fd;
}

/// `fd` as the read end of a pipe.
fn input_pipe(fd: OwnedFd) -> io::Result<Input> {
    pipe::Receiver::from_owned_fd(fd).map(Input::Pipe)
}

/// `fd` as the write end of a pipe, its buffer grown (see [`grow_pipe`]).
fn output_pipe(fd: OwnedFd) -> io::Result<Output> {
    grow_pipe(fd.as_fd());
    pipe::Sender::from_owned_fd(fd).map(Output::Pipe)
}

/// The process's stdin. Must be called inside the runtime.
pub fn stdin() -> Input {
    adopt(io::stdin().as_fd(), input_pipe, Input::Socket)
        .unwrap_or_else(|| Input::Blocking(tokio::io::stdin()))
}

/// The process's stdout. Must be called inside the runtime. Not adopted when stderr is the same
/// pipe or socket (`2>&1`): the log would then be written to a non-blocking descriptor too,
/// and a full pipe would fail its writes.
pub fn stdout() -> Output {
    if same_file(io::stdout().as_fd(), io::stderr().as_fd()) {
        return Output::Blocking(tokio::io::stdout());
    }
    adopt(io::stdout().as_fd(), output_pipe, Output::Socket)
        .unwrap_or_else(|| Output::Blocking(tokio::io::stdout()))
}

/// Whether `a` and `b` are the same file (pipe, socket, terminal...).
fn same_file(a: BorrowedFd<'_>, b: BorrowedFd<'_>) -> bool {
    match (rustix::fs::fstat(a), rustix::fs::fstat(b)) {
        (Ok(a), Ok(b)) => a.st_dev == b.st_dev && a.st_ino == b.st_ino,
        _ => false,
    }
}

/// Makes stdin and stdout blocking again, as the process found them: the flag belongs to the
/// open pipe or socket, which outlives this process when something else holds it too (a
/// wrapper that started the server without `exec`). Called before the process exits.
pub fn restore_blocking() {
    for fd in [io::stdin().as_fd(), io::stdout().as_fd()] {
        if let Ok(flags) = rustix::fs::fcntl_getfl(fd) {
            if flags.contains(rustix::fs::OFlags::NONBLOCK) {
                let _ = rustix::fs::fcntl_setfl(fd, flags - rustix::fs::OFlags::NONBLOCK);
            }
        }
    }
}

impl AsyncRead for Input {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Input::Pipe(p) => Pin::new(p).poll_read(cx, buf),
            Input::Socket(s) => Pin::new(s).poll_read(cx, buf),
            Input::Blocking(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Output {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Output::Pipe(p) => Pin::new(p).poll_write(cx, buf),
            Output::Socket(s) => Pin::new(s).poll_write(cx, buf),
            Output::Blocking(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Output::Pipe(p) => Pin::new(p).poll_flush(cx),
            Output::Socket(s) => Pin::new(s).poll_flush(cx),
            Output::Blocking(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Output::Pipe(p) => Pin::new(p).poll_shutdown(cx),
            Output::Socket(s) => Pin::new(s).poll_shutdown(cx),
            Output::Blocking(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[derive(Debug, PartialEq)]
    enum Kind {
        Pipe,
        Socket,
    }

    fn kind(fd: BorrowedFd<'_>) -> Option<Kind> {
        adopt(
            fd,
            |fd| pipe::Receiver::from_owned_fd(fd).map(|_| Kind::Pipe),
            |_| Kind::Socket,
        )
    }

    #[tokio::test]
    async fn pipes_and_sockets_are_adopted_and_anything_else_is_not() {
        let (r, _w) = std::io::pipe().unwrap();
        assert_eq!(kind(r.as_fd()), Some(Kind::Pipe));
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert_eq!(kind(a.as_fd()), Some(Kind::Socket));
        let file = std::fs::File::open(std::env::current_exe().unwrap()).unwrap();
        assert_eq!(kind(file.as_fd()), None);
    }

    #[test]
    fn the_same_pipe_is_told_from_another() {
        let (r, w) = std::io::pipe().unwrap();
        let w2 = w.try_clone().unwrap();
        let (_r3, w3) = std::io::pipe().unwrap();
        assert!(same_file(w.as_fd(), w2.as_fd()));
        assert!(same_file(r.as_fd(), w.as_fd()), "both ends are one pipe");
        assert!(!same_file(w.as_fd(), w3.as_fd()));
    }

    /// A pipe already bigger than [`PIPE_SIZE`] keeps its size.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_bigger_pipe_is_not_shrunk() {
        let (_r, w) = std::io::pipe().unwrap();
        let Ok(bigger) = rustix::pipe::fcntl_setpipe_size(&w, PIPE_SIZE * 2) else {
            return; // the system allows no pipe that big
        };
        grow_pipe(w.as_fd());
        assert_eq!(rustix::pipe::fcntl_getpipe_size(&w).unwrap(), bigger);
    }

    /// Bytes go through an adopted pipe and socket both ways.
    #[tokio::test]
    async fn adopted_ends_carry_bytes() {
        let (r, w) = std::io::pipe().unwrap();
        let mut input = adopt(r.as_fd(), input_pipe, Input::Socket).unwrap();
        let mut output = adopt(w.as_fd(), output_pipe, Output::Socket).unwrap();
        // The output pipe was grown, where the system allows it.
        #[cfg(any(target_os = "linux", target_os = "android"))]
        {
            let allowed = std::fs::read_to_string("/proc/sys/fs/pipe-max-size")
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok());
            if allowed.is_some_and(|max| max >= PIPE_SIZE) {
                assert!(rustix::pipe::fcntl_getpipe_size(&r).unwrap() >= PIPE_SIZE);
            }
        }
        drop((r, w));
        output.write_all(b"frame").await.unwrap();
        drop(output);
        let mut got = Vec::new();
        input.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"frame");

        let (a, b) = std::os::unix::net::UnixStream::pair().unwrap();
        let mut output = adopt(
            a.as_fd(),
            |_| Err(io::ErrorKind::Other.into()),
            Output::Socket,
        )
        .unwrap();
        let mut input = adopt(
            b.as_fd(),
            |_| Err(io::ErrorKind::Other.into()),
            Input::Socket,
        )
        .unwrap();
        drop((a, b));
        output.write_all(b"frame").await.unwrap();
        output.shutdown().await.unwrap();
        let mut got = Vec::new();
        input.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, b"frame");
    }
}
