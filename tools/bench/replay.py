#!/usr/bin/env python3
"""A caching proxy in front of a language server, to measure what moving an answer costs.

    python3 tools/bench/replay.py [--methods M1,M2] -- SERVER [ARGS...]

Everything goes through to SERVER and back unchanged, except requests of the given methods
(default: textDocument/documentSymbol and textDocument/foldingRange): the first answer to a
request is kept, and the same request again, on the same version of the document, is
answered from that copy without asking SERVER. Run by lspbench next to SERVER itself, the
proxy's times are those of a server that computes nothing and sends the same bytes: the floor
under SERVER's times that the size of its answers and the client set, not SERVER's work.

    python3 ../shared/tools/lspbench/lspbench.py \\
        --server "python3 tools/bench/replay.py -- target/dist/dockerfile-ls" --label replay \\
        --server target/dist/dockerfile-ls --label ours \\
        --sizes 1000 --scenarios documentSymbol --order abba --rounds 10

Standard library only. Not a language server of its own: use it for measurements.
"""

import fcntl
import json
import subprocess
import sys
import threading

DEFAULT_METHODS = "textDocument/documentSymbol,textDocument/foldingRange"


def read_frame(stream):
    """The body of the next frame on `stream`, or None at its end."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        if line in (b"\r\n", b"\n"):
            if length is not None:
                break
            continue
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    body = stream.read(length)
    return body if len(body) == length else None


def messages(stream):
    """Each frame body on `stream` with its JSON object (None when it is not one)."""
    while True:
        body = read_frame(stream)
        if body is None:
            return
        try:
            msg = json.loads(body)
        except ValueError:
            msg = None
        yield body, (msg if isinstance(msg, dict) else None)


def frame(body):
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Proxy:
    def __init__(self, argv, methods):
        self.methods = methods
        self.server = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.out = sys.stdout.buffer
        self.out_lock = threading.Lock()
        self.lock = threading.Lock()
        # uri -> version; (method, params, version) -> result bytes; server id -> key to fill.
        self.versions = {}
        self.cache = {}
        self.pending = {}

    def to_client(self, body):
        with self.out_lock:
            self.out.write(frame(body))
            self.out.flush()

    def key(self, msg):
        params = msg.get("params") or {}
        uri = (params.get("textDocument") or {}).get("uri")
        return (msg["method"], json.dumps(params, sort_keys=True), self.versions.get(uri))

    def client_loop(self):
        for body, msg in messages(sys.stdin.buffer):
            if msg is not None:
                method = msg.get("method")
                params = msg.get("params") or {}
                document = params.get("textDocument") or {}
                if method in ("textDocument/didOpen", "textDocument/didChange"):
                    with self.lock:
                        self.versions[document.get("uri")] = document.get("version")
                if method in self.methods and "id" in msg:
                    key = self.key(msg)
                    with self.lock:
                        result = self.cache.get(key)
                        if result is None:
                            self.pending[json.dumps(msg["id"])] = key
                    if result is not None:
                        self.to_client(
                            b'{"jsonrpc":"2.0","id":' + json.dumps(msg["id"]).encode()
                            + b',"result":' + result + b"}"
                        )
                        continue
            self.server.stdin.write(frame(body))
            self.server.stdin.flush()
        self.server.stdin.close()

    def server_loop(self):
        for body, msg in messages(self.server.stdout):
            if msg is not None and "id" in msg and "method" not in msg and "result" in msg:
                with self.lock:
                    key = self.pending.pop(json.dumps(msg["id"]), None)
                    if key is not None:
                        self.cache[key] = json.dumps(
                            msg["result"], separators=(",", ":"), ensure_ascii=False
                        ).encode()
            self.to_client(body)


def grow_stdout_pipe():
    """Gives stdout the pipe buffer dockerfile-ls gives its own (256 KiB, `F_SETPIPE_SZ`), so a
    large answer goes out in one write here too; where that fails the default stays."""
    set_pipe_size = getattr(fcntl, "F_SETPIPE_SZ", 1031)
    get_pipe_size = getattr(fcntl, "F_GETPIPE_SZ", 1032)
    try:
        if fcntl.fcntl(sys.stdout.fileno(), get_pipe_size) < 256 * 1024:
            fcntl.fcntl(sys.stdout.fileno(), set_pipe_size, 256 * 1024)
    except OSError as err:
        print(f"replay: stdout pipe not grown: {err}", file=sys.stderr)


def main(argv):
    methods = DEFAULT_METHODS
    if argv[:1] == ["--methods"] and len(argv) > 1:
        methods, argv = argv[1], argv[2:]
    if argv[:1] != ["--"] or len(argv) < 2:
        sys.exit(__doc__)
    grow_stdout_pipe()
    proxy = Proxy(argv[1:], set(methods.split(",")))
    from_server = threading.Thread(target=proxy.server_loop, daemon=True)
    from_server.start()
    proxy.client_loop()
    from_server.join(timeout=10)
    sys.exit(proxy.server.wait(timeout=10))


if __name__ == "__main__":
    main(sys.argv[1:])
