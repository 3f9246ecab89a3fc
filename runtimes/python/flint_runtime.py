# Flint's Python runtime: a Lambda Runtime API client loop, self-contained (standard library only,
# nothing from the Flint host). bootstrap.py starts it; as a module its bytecode is compiled once,
# when Flint starts (compiling this file at every cold start cost ~5 ms). Behaviour follows AWS's Python runtime interface client
# (awslambdaric): handler import, LambdaContext, error shapes and log formats.
# It speaks HTTP/1.1 over one kept-alive socket itself: http.client would add ~10 ms of imports to
# every cold start. For the same reason it uses the `_socket` C module over Flint's unix socket (the
# `socket` wrapper builds its enums at import: ~5 ms), configures `logging` (~11 ms of imports)
# when something first imports it rather than at start, and encodes and decodes JSON with json's own
# C codec (`_json`) rather than the `json` package, whose `re`, `enum` and `functools` cost ~8 ms.
# Python starts with -S: the host's site-packages are put on sys.path below, but the host's .pth
# files (site's ~8 ms) are not run, as no host's are on Lambda.
import _json
import _socket
import io
import os
import sys
import time


def add_site_packages():
    """What site.main() would do that a function can notice: the site-packages directories (Debian's
    boto3 lives there) and the exit/quit/help/copyright builtins."""
    import site

    for d in site.getsitepackages():
        if d not in sys.path and os.path.isdir(d):
            sys.path.append(d)
    site.setquit()
    site.setcopyright()
    site.sethelper()


if sys.flags.no_site:
    add_site_packages()

API = os.environ.get("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001")
# A spare runtime (started before Flint knew which function it would run) learns these from its binding.
POOLED = os.environ.pop("_FLINT_POOLED", None) == "1"
# A spare made ahead of demand (not one started for a waiting invocation): it has time to spare.
SPARE = os.environ.pop("_FLINT_SPARE", None) == "1"
BASE = "/2018-06-01/runtime"
ERROR_LOG_LINE_TERMINATE = "\r"
ERROR_LOG_IDENT = "\u00a0"


class RuntimeClient:
    """HTTP/1.1 over one kept-alive socket; requests can be pipelined (written together, answered in order)."""

    def __init__(self, address, unix_path=None):
        host, _, port = address.rpartition(":")
        self.address = (host, int(port))
        self.host = address
        self.unix_path = unix_path
        self.sock = None
        self.reader = None

    def _connect(self):
        if self.unix_path:
            self.sock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
            self.sock.connect(self.unix_path)
            self.reader = io.open(self.sock.fileno(), "rb", closefd=False)
        else:
            import socket

            self.sock = socket.create_connection(self.address)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.reader = self.sock.makefile("rb")

    def encode(self, method, path, body=b"", headers=None):
        head = "%s %s%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n" % (method, BASE, path, self.host, len(body))
        for k, v in (headers or {}).items():
            head += "%s: %s\r\n" % (k, v)
        return head.encode("latin-1") + b"\r\n" + body

    def send(self, *requests):
        if self.sock is None:
            self._connect()
        self.sock.sendall(b"".join(requests))

    def receive(self):
        status_line = self.reader.readline()
        if not status_line:
            raise ConnectionError("Runtime API closed the connection")
        status = int(status_line.split(b" ", 2)[1])
        resp_headers = {}
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            resp_headers[k.strip().lower()] = v.strip()
        data = self.reader.read(int(resp_headers.get("content-length", "0")))
        return status, resp_headers, data

    def request(self, method, path, body=b"", headers=None):
        self.send(self.encode(method, path, body, headers))
        return self.receive()


client = RuntimeClient(API, os.environ.pop("_FLINT_RUNTIME_API_SOCKET", None))


def flush_output():
    sys.stdout.flush()
    sys.stderr.flush()


def answer_request(path, body, error_type=None):
    headers = {"Content-Type": "application/json"}
    if error_type:
        headers["Lambda-Runtime-Function-Error-Type"] = error_type
    return client.encode("POST", path, body.encode("utf-8") if isinstance(body, str) else body, headers)


def post(path, body, error_type=None):
    flush_output()
    client.send(answer_request(path, body, error_type))
    return client.receive()


# ---- JSON, as awslambdaric's marshaller: json.loads, and an encoder with allow_nan, Decimal as a number
# and, from python3.12, ensure_ascii off. json's C codec is driven directly; anything it cannot do
# (a type only the function's own JSONEncoder.default knows, an error message) goes to the json package.
class ScanContext:
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


JSON_SPACE = " \t\n\r"


class Fallback(Exception):
    pass


class Codec:
    def __init__(self):
        self.scan = _json.make_scanner(ScanContext())
        self.escape = None
        self.full_encoder = None

    def loads(self, data):
        try:
            text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
            start = len(text) - len(text.lstrip(JSON_SPACE))
            if text.startswith("\ufeff"):
                raise Fallback()
            value, end = self.scan(text, start)
            if text[end:].strip(JSON_SPACE):
                raise Fallback()
            return value
        except Exception:
            import json

            return json.loads(data)

    @staticmethod
    def ensure_ascii():
        return os.environ.get("AWS_EXECUTION_ENV") not in ("AWS_Lambda_python3.12", "AWS_Lambda_python3.13")

    def dumps(self, value):
        if self.escape is None:
            self.escape = _json.encode_basestring_ascii if self.ensure_ascii() else _json.encode_basestring
        try:
            if isinstance(value, str):
                return self.escape(value)
            # A fresh markers dict each time: an encoding that failed half-way leaves entries in it.
            iterencode = _json.make_encoder({}, decimal_default, self.escape, None, ": ", ", ", False, False, True)
            return "".join(iterencode(value, 0))
        except Exception:
            if self.full_encoder is None:
                self.full_encoder = lambda_encoder(self.ensure_ascii())
            return self.full_encoder.encode(value)


def decimal_default(value):
    # A Decimal can only exist once decimal is imported; AWS encodes it as the float it is closest to.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(value, decimal.Decimal):
        return float("nan") if value.is_nan() else float(value)
    raise Fallback()


def lambda_encoder(ensure_ascii):
    import json

    class Encoder(json.JSONEncoder):
        def default(self, value):
            try:
                return decimal_default(value)
            except Fallback:
                return super().default(value)

    return Encoder(ensure_ascii=ensure_ascii, allow_nan=True)


codec = Codec()


class FaultException(Exception):
    MARSHAL_ERROR = "Runtime.MarshalError"
    UNMARSHAL_ERROR = "Runtime.UnmarshalError"
    USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
    HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
    IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
    MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    return {
        "errorMessage": error_message or "",
        "errorType": error_type or "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace or [],
    }


RUNTIME_FILES = (__file__, os.path.join(os.path.dirname(__file__), "bootstrap.py"))


def user_frames(tb):
    import traceback

    # Plain (file, line, function, source) tuples, as AWS's runtime formats them: no column
    # positions, so Python 3.11+ adds no "^^^^" markers.
    frames = [(f.filename, f.lineno, f.name, f.line) for f in traceback.extract_tb(tb) if f.filename not in RUNTIME_FILES]
    return traceback.format_list(frames)


def json_logs():
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON"


def log_error(error_result):
    if json_logs():
        # awslambdaric's JSON error record: its own "log_level" key, then the error result's.
        record = {"timestamp": time.strftime(JSON_TIME_FORMAT, time.gmtime()), "log_level": "ERROR"}
        record.update(error_result)
        sys.stdout.write(codec.dumps(record) + "\n")
        return
    # As AWS's runtime writes it: the type and message only where present, and the traceback
    # header even when there are no frames (an import error, a missing handler).
    described = ": ".join(part for part in (error_result["errorType"], error_result["errorMessage"]) if part)
    lines = ["[ERROR] " + described if described else "[ERROR]", "Traceback (most recent call last):"]
    for frame in error_result["stackTrace"]:
        for line in frame.splitlines() or [""]:
            stripped = line.lstrip(" ")
            lines.append(ERROR_LOG_IDENT * (len(line) - len(stripped)) + stripped)
    sys.stdout.write(ERROR_LOG_LINE_TERMINATE.join(lines) + "\n")


def error_result_for(exc, invoke_id):
    if isinstance(exc, FaultException):
        return make_error(exc.msg, exc.exception_type, exc.trace, invoke_id)
    return make_error(str(exc), type(exc).__name__, user_frames(exc.__traceback__), invoke_id)


# ---- handler import, as awslambdaric's _get_handler
def load_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)), [])
    import importlib

    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                "Runtime.BuiltInModuleConflict",
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        module = importlib.import_module(modname.replace("/", "."))
    except FaultException:
        raise
    except ImportError as e:
        raise FaultException(FaultException.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, str(e)), [])
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            FaultException.USER_CODE_SYNTAX_ERROR,
            "Syntax error in module '{}': {}".format(modname, str(e)),
            trace,
        )
    try:
        func = getattr(module, fname)
    except AttributeError:
        raise FaultException(FaultException.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname), [])
    return func


# ---- context
class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext:
    __slots__ = ["custom", "env", "client"]


def make_client_context(raw):
    if not raw:
        return None
    data = codec.loads(raw)
    cc = ClientContext()
    cc.custom = data.get("custom")
    cc.env = data.get("env")
    client = data.get("client")
    if client is not None:
        c = Client()
        c.installation_id = client.get("installation_id")
        c.app_title = client.get("app_title")
        c.app_version_name = client.get("app_version_name")
        c.app_version_code = client.get("app_version_code")
        c.app_package_name = client.get("app_package_name")
        cc.client = c
    else:
        cc.client = None
    return cc


def make_identity(raw):
    identity = CognitoIdentity()
    data = codec.loads(raw) if raw else {}
    identity.cognito_identity_id = data.get("cognitoIdentityId")
    identity.cognito_identity_pool_id = data.get("cognitoIdentityPoolId")
    return identity


class LambdaContext:
    def __init__(self, invoke_id, client_context, cognito_identity, deadline_ms, invoked_function_arn):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = None
        self.client_context = make_client_context(client_context)
        self.identity = make_identity(cognito_identity)
        self._deadline_ms = int(deadline_ms)

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},function_name={},"
            "memory_limit_in_mb={},function_version={},invoked_function_arn={},client_context={},identity={}])".format(
                self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
                self.memory_limit_in_mb, self.function_version, self.invoked_function_arn, self.client_context, self.identity,
            )
        )


# ---- code run on a module the moment it first loads (logging, botocore)
class AfterImport:
    """A sys.meta_path finder that runs code on chosen modules right after they first load. The module
    is found as it would be without it (or in the directories given) and executed by its own loader;
    the finder leaves sys.meta_path once every module it waits for has loaded. Nothing is imported
    for it: a function that never imports these modules pays one dictionary look-up per import."""

    def __init__(self):
        self.waiting = {}

    def add(self, name, run, search=None):
        if name in sys.modules:
            run(sys.modules[name])
            return
        if not self.waiting:
            sys.meta_path.insert(0, self)
        self.waiting[name] = (run, search)

    def find_spec(self, name, path=None, target=None):
        if name not in self.waiting:
            return None
        run, search = self.waiting[name]
        if search is not None:
            from importlib.machinery import PathFinder

            spec = PathFinder.find_spec(name, search)
        else:
            spec = self.find_elsewhere(name, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        execute = spec.loader.exec_module

        def exec_module(module):
            execute(module)
            # Done once the module has run (a spec found only to check that it exists, or a module
            # whose code raised, leaves the hook in place for the real import).
            if module.__name__ == name and self.waiting.pop(name, None) is not None:
                if not self.waiting and self in sys.meta_path:
                    sys.meta_path.remove(self)
                run(module)

        spec.loader.exec_module = exec_module
        return spec

    def find_elsewhere(self, name, path, target):
        """What the import system would find without this finder."""
        for finder in sys.meta_path:
            if finder is not self and hasattr(finder, "find_spec"):
                spec = finder.find_spec(name, path, target)
                if spec is not None:
                    return spec
        return None


after_import = AfterImport()


# ---- logging, as awslambdaric's _setup_logging: its text format, or its JsonFormatter's records
# (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html), the root logger at
# AWS_LAMBDA_LOG_LEVEL when Lambda sets one (JSON), else at logging's default, WARNING.
current_request_id = ""
JSON_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# LogRecord attributes that are not `extra` fields of a JSON record.
RECORD_FIELDS = frozenset((
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info", "exc_text",
    "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated", "thread", "threadName",
    "processName", "process", "aws_request_id", "tenant_id", "_frame_type",
))


def setup_logging():
    """Configure the standard library's logging the moment anything imports it (the handler's module,
    a library), as though it had been configured before user code; the standard library's own, as on
    Lambda, even if the package has a logging.py."""
    after_import.add("logging", configure_logging, [os.path.dirname(os.__file__)])


def configure_logging(logging):
    class RequestIdFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = current_request_id
            return True

    class LambdaHandler(logging.StreamHandler):
        def emit(self, record):
            try:
                msg = self.format(record)
                sys.stdout.write(msg.replace("\n", "\r").rstrip("\r") + "\n")
            except Exception:
                self.handleError(record)

    handler = LambdaHandler(sys.stdout)
    if json_logs():
        formatter = json_formatter(logging)
    else:
        formatter = logging.Formatter("[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger()
    logger.handlers = [handler]
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    if level == "TRACE":
        level = "DEBUG"  # logging has no TRACE
    logger.setLevel(level if level in logging._nameToLevel else logging.WARNING)


def json_formatter(logging):
    """awslambdaric's JsonFormatter: timestamp, level, message, logger, requestId, an exception's
    errorType, errorMessage, stackTrace and location, then the record's `extra` fields; None values
    left out. Encoded by json's C encoder (no `json` import), unescaped as AWS's is."""
    import traceback

    def unserialisable(value):
        raise TypeError("Object of type %s is not JSON serializable" % type(value).__name__)

    class JsonFormatter(logging.Formatter):
        def format(self, record):
            # Levels round down to logging's named ones, as AWS's do.
            record.levelno = min(50, max(0, record.levelno)) // 10 * 10
            record.levelname = logging.getLevelName(record.levelno)
            exc = record.exc_info
            result = {
                "timestamp": self.formatTime(record, JSON_TIME_FORMAT),
                "level": record.levelname,
                "message": record.getMessage(),
                "logger": record.name,
                "stackTrace": traceback.format_tb(exc[2]) if exc else None,
                "errorType": exc[0].__name__ if exc else None,
                "errorMessage": str(exc[1]) if exc else None,
                "requestId": getattr(record, "aws_request_id", None),
                "location": "%s:%s:%s" % (record.pathname, record.funcName, record.lineno) if exc else None,
            }
            for key, value in record.__dict__.items():
                if key not in RECORD_FIELDS and key not in result:
                    result[key] = value
            encode = _json.make_encoder({}, unserialisable, _json.encode_basestring, None, ": ", ", ", False, False, True)
            return "".join(encode({k: v for k, v in result.items() if v is not None}, 0)) + "\n"

    return JsonFormatter()


# ---- AWS_ENDPOINT_URL for botocore before 1.31 (Debian's is 1.29), which reads none of it. As 1.31
# does (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html): an endpoint_url
# given to the client wins, then AWS_ENDPOINT_URL_<serviceId, upper case, spaces as underscores>, then
# AWS_ENDPOINT_URL; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true turns both variables off (the shared
# config file's endpoint settings, which 1.31 reads after them, are not read). boto3.client,
# boto3.resource and every Session make their clients with botocore's Session.create_client.
def configure_endpoints(botocore_session):
    if not version_below(getattr(sys.modules["botocore"], "__version__", ""), (1, 31)):
        return
    Session = botocore_session.Session
    create_client = Session.create_client

    # The parameters up to endpoint_url are create_client's own, in its order, since botocore 1.0.
    def create_client_at_configured_endpoint(
        self, service_name, region_name=None, api_version=None, use_ssl=True, verify=None, endpoint_url=None, *args, **kwargs
    ):
        if endpoint_url is None:
            endpoint_url = configured_endpoint_url(self, service_name, api_version)
        return create_client(self, service_name, region_name, api_version, use_ssl, verify, endpoint_url, *args, **kwargs)

    create_client_at_configured_endpoint.__wrapped__ = create_client
    Session.create_client = create_client_at_configured_endpoint


def configured_endpoint_url(session, service_name, api_version):
    env = os.environ
    if env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    # The service's model is read only when some service has a variable (create_client reads it
    # next, from the loader's cache); an unknown service is left to create_client to report.
    if any(key.startswith("AWS_ENDPOINT_URL_") for key in env):
        try:
            service_id = session.get_service_model(service_name, api_version).service_id
        except Exception:
            service_id = None
        url = service_id and env.get("AWS_ENDPOINT_URL_" + service_id.replace(" ", "_").upper())
        if url:
            return url
    return env.get("AWS_ENDPOINT_URL") or None


def version_below(version, wanted):
    try:
        return tuple(int(part) for part in version.split(".")[:2]) < wanted
    except ValueError:
        return False


def bind():
    """A spare runtime waits here, before any user code, for the function it will run."""
    status, _, body = client.request("GET", "/flint/binding")
    if status != 200:
        sys.stderr.write("Runtime API refused the binding: %d %r\n" % (status, body))
        sys.exit(1)
    os.environ.update(codec.loads(body)["env"])
    time.tzset()
    os.chdir(os.environ.get("LAMBDA_TASK_ROOT", "/var/task"))


def main():
    global current_request_id
    # Everything that does not depend on the function happens before a spare waits for its binding.
    import importlib  # noqa: F401  (load_handler's import, paid before the binding)

    if SPARE:
        # json is loaded before user code, as on Lambda (where the runtime imports it), so the
        # function's own `import json` costs nothing. Started for a waiting invocation, the runtime
        # leaves it to the function (~8 ms on the cold start's path otherwise).
        import json  # noqa: F401

    setup_logging()
    after_import.add("botocore.session", configure_endpoints)
    if POOLED:
        bind()
    task_root = os.environ.get("LAMBDA_TASK_ROOT", "/var/task")
    handler_name = os.environ.get("_HANDLER", "")
    # Lines reach the log as they are printed, as they do on Lambda, not at the next flush.
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    sys.path.insert(0, task_root)
    try:
        handler = load_handler(handler_name)
    except FaultException as e:
        result = make_error(e.msg, e.exception_type, e.trace)
        log_error(result)
        post("/init/error", codec.dumps(result), e.exception_type)
        sys.exit(1)
    except Exception as e:
        result = make_error(str(e), type(e).__name__, user_frames(e.__traceback__))
        log_error(result)
        post("/init/error", codec.dumps(result), result["errorType"])
        sys.exit(1)

    client.send(client.encode("GET", "/invocation/next"))
    while True:
        status, headers, body = client.receive()
        if status != 200:
            sys.stderr.write("Runtime API /next answered %d: %r\n" % (status, body))
            sys.exit(1)
        invoke_id = headers.get("lambda-runtime-aws-request-id")
        current_request_id = invoke_id
        os.environ["_X_AMZN_TRACE_ID"] = headers.get("lambda-runtime-trace-id", "")
        try:
            try:
                event = codec.loads(body)
            except Exception as e:
                raise FaultException(FaultException.UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)), None)
            context = LambdaContext(
                invoke_id,
                headers.get("lambda-runtime-client-context"),
                headers.get("lambda-runtime-cognito-identity"),
                headers.get("lambda-runtime-deadline-ms", "0"),
                headers.get("lambda-runtime-invoked-function-arn"),
            )
            result = handler(event, context)
            try:
                payload = codec.dumps(result) if not isinstance(result, (bytes, bytearray)) else bytes(result)
            except Exception as e:
                raise FaultException(FaultException.MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)), None)
            answer = answer_request("/invocation/%s/response" % invoke_id, payload)
        except Exception as e:
            result = error_result_for(e, invoke_id)
            log_error(result)
            answer = answer_request("/invocation/%s/error" % invoke_id, codec.dumps(result), result["errorType"])
        # The answer and the next /next leave together (pipelined).
        flush_output()
        client.send(answer, client.encode("GET", "/invocation/next"))
        client.receive()

