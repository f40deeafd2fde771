//! A tower service around the language server that turns a panic in any handler into an
//! internal-error response (for a request) or nothing (for a notification), plus an error log
//! line, instead of a dead server.
//!
//! tower-lsp-server runs handler futures inside its `serve` loop, so an uncaught panic there
//! would end the whole process. Analysis calls are also guarded one by one in `server.rs`
//! (`guarded`); this catches everything else: parameter handling, the handlers' own code, and
//! panics a future `guarded` call might miss.
//!
//! Must not know: LSP methods or types; this is JSON-RPC only.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use tower_lsp_server::jsonrpc::{Error, Id, Request, Response};
use tower_service::Service;

pub struct CatchPanic<S> {
    inner: S,
}

impl<S> CatchPanic<S> {
    pub fn new(inner: S) -> CatchPanic<S> {
        CatchPanic { inner }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl<S> Service<Request> for CatchPanic<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = BoxFuture<Result<Option<Response>, S::Error>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        let inner = &mut self.inner;
        let fut = match catch_unwind(AssertUnwindSafe(|| inner.call(req))) {
            Ok(fut) => fut,
            Err(payload) => {
                let response = panicked(id, &method, payload.as_ref());
                return Box::pin(std::future::ready(Ok(response)));
            }
        };
        Box::pin(async move {
            match caught(fut).await {
                Ok(result) => result,
                Err(payload) => Ok(panicked(id, &method, payload.as_ref())),
            }
        })
    }
}

/// What `fut` resolves to, or the payload of a panic while it was polled.
pub async fn caught<F: Future>(fut: F) -> Result<F::Output, Box<dyn Any + Send>> {
    let mut fut = Box::pin(fut);
    std::future::poll_fn(
        |cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(result)) => Poll::Ready(Ok(result)),
            Err(payload) => Poll::Ready(Err(payload)),
        },
    )
    .await
}

/// The log line and the response for a handler that panicked.
fn panicked(id: Option<Id>, method: &str, payload: &(dyn Any + Send)) -> Option<Response> {
    let err = panic_error(method, payload);
    Some(Response::from_error(id?, err))
}

/// Logs the panic of the handler for `method` and gives the error its request is answered with.
pub fn panic_error(method: &str, payload: &(dyn Any + Send)) -> Error {
    let why = panic_message(payload);
    tracing::error!("handler for `{method}` panicked: {why}");
    let mut err = Error::internal_error();
    err.message = format!("internal error in `{method}`").into();
    err
}

/// The text of a panic payload (`panic!` gives a `&str` or a `String`).
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use serde_json::json;
    use tower_lsp_server::jsonrpc::ErrorCode;

    use super::*;

    /// Panics in `call` for method `a`, inside the future for `b`, answers `ok` otherwise.
    struct Flaky;

    impl Service<Request> for Flaky {
        type Response = Option<Response>;
        type Error = Infallible;
        type Future = BoxFuture<Result<Option<Response>, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, req: Request) -> Self::Future {
            assert!(req.method() != "a", "boom in call");
            Box::pin(async move {
                tokio::task::yield_now().await;
                assert!(req.method() != "b", "boom in future");
                Ok(req
                    .id()
                    .cloned()
                    .map(|id| Response::from_ok(id, json!("ok"))))
            })
        }
    }

    fn request(method: &str, id: Option<i64>) -> Request {
        let b = Request::build(method.to_string());
        match id {
            Some(id) => b.id(id).finish(),
            None => b.finish(),
        }
    }

    #[tokio::test]
    async fn caught_gives_the_output_or_the_panic() {
        assert_eq!(caught(async { 7 }).await.unwrap(), 7);
        let payload = caught(async {
            tokio::task::yield_now().await;
            panic!("late boom");
        })
        .await
        .unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "late boom");
        let err = panic_error("m/x", payload.as_ref());
        assert_eq!(err.code, ErrorCode::InternalError);
        assert_eq!(err.message, "internal error in `m/x`");
    }

    #[tokio::test]
    async fn panics_become_internal_errors_and_the_service_keeps_working() {
        let mut s = CatchPanic::new(Flaky);
        for method in ["a", "b"] {
            let response = s.call(request(method, Some(1))).await.unwrap().unwrap();
            let (id, result) = response.into_parts();
            assert_eq!(id, Id::Number(1));
            let err = result.unwrap_err();
            assert_eq!(err.code, ErrorCode::InternalError);
            assert_eq!(err.message, format!("internal error in `{method}`"));
            // A notification gets no response.
            assert_eq!(s.call(request(method, None)).await.unwrap(), None);
        }
        let response = s.call(request("c", Some(2))).await.unwrap().unwrap();
        assert_eq!(response.into_parts().1.unwrap(), json!("ok"));
    }
}
