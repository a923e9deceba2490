using System;
using System.Collections.Generic;
using System.Text;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>Why a live query failed; stable, for ErrorIds (LiveQuery&lt;Reason&gt;) and for the runner's split decision.</summary>
    public enum LiveQueryFailure
    {
        /// <summary>HTTP 400: the service rejected the query text (syntax, unknown table or column).</summary>
        BadQuery,
        /// <summary>HTTP 401, or the credential could not produce a token.</summary>
        Unauthorized,
        /// <summary>HTTP 403: the identity lacks the role or permission, or the token is for another resource.</summary>
        Forbidden,
        /// <summary>HTTP 404: no such workspace or path.</summary>
        NotFound,
        /// <summary>HTTP 429 still after the retries.</summary>
        Throttled,
        /// <summary>The query did not finish in time (504, or the client timeout) even over the smallest window.</summary>
        Timeout,
        /// <summary>The result was truncated (row or size limit) even over the smallest window.</summary>
        LimitExceeded,
        /// <summary>A 200 answer carrying an error (PartialError): the rows are not the whole result.</summary>
        PartialResult,
        /// <summary>The answer was not the documented JSON.</summary>
        MalformedResponse,
        /// <summary>The connection failed (DNS, refused, reset) still after the retries.</summary>
        Transport,
        /// <summary>Any other HTTP error status.</summary>
        ServiceError,
        /// <summary>Plain http to a host that is not this machine: refused before anything is sent.</summary>
        InsecureEndpoint,
        /// <summary>The window is outside what the service can answer (Defender XDR: 30 days).</summary>
        OutOfRange,
    }

    /// <summary>The OneAPI error object: {"error":{"code","message","innererror":{...},"details":[...]}}.</summary>
    public sealed class LiveServiceError
    {
        public LiveServiceError(string code, string message, IReadOnlyList<LiveServiceError>? inner = null)
        {
            Code = code ?? "";
            Message = message ?? "";
            Inner = inner ?? Array.Empty<LiveServiceError>();
        }

        public string Code { get; }
        public string Message { get; }
        /// <summary>innererror chain and details, flattened in document order.</summary>
        public IReadOnlyList<LiveServiceError> Inner { get; }

        /// <summary>The most specific code: the deepest innererror's, else this one's (SyntaxError under BadArgumentError).</summary>
        public string InnermostCode
        {
            get
            {
                for (int i = Inner.Count - 1; i >= 0; i--) if (Inner[i].Code.Length > 0) return Inner[i].Code;
                return Code;
            }
        }

        /// <summary>Every code and message of the chain, for matching limit errors.</summary>
        public IEnumerable<string> AllText()
        {
            yield return Code;
            yield return Message;
            foreach (var e in Inner) { yield return e.Code; yield return e.Message; }
        }

        public override string ToString()
        {
            var sb = new StringBuilder(Code);
            if (Message.Length > 0) sb.Append(": ").Append(Message);
            foreach (var e in Inner)
            {
                if (e.Code.Length == 0 && e.Message.Length == 0) continue;
                sb.Append(" / ").Append(e.Code);
                if (e.Message.Length > 0) sb.Append(": ").Append(e.Message);
            }
            return sb.ToString();
        }
    }

    /// <summary>
    /// A live query that failed. Carries the HTTP status, the service's error code and message, the window and a hint
    /// for the user. Never holds a token, secret or password: service text is scrubbed before it gets here.
    /// </summary>
    public sealed class LiveQueryException : Exception
    {
        public LiveQueryException(
            LiveQueryFailure reason,
            string target,
            string summary,
            QueryWindow? window = null,
            int httpStatus = 0,
            LiveServiceError? serviceError = null,
            string? hint = null,
            Exception? inner = null)
            : base(Compose(reason, target, summary, window, httpStatus, serviceError, hint), inner)
        {
            Reason = reason;
            Target = target;
            Summary = summary;
            Window = window;
            HttpStatus = httpStatus;
            ServiceError = serviceError;
            Hint = hint;
        }

        public LiveQueryFailure Reason { get; }
        /// <summary>What was queried: "Log Analytics workspace &lt;id&gt;" or "Defender XDR advanced hunting".</summary>
        public string Target { get; }
        /// <summary>The failure in a few words, without target, window or hint.</summary>
        public string Summary { get; }
        /// <summary>The window [Start, End) of the failed request, when there was one.</summary>
        public QueryWindow? Window { get; }
        /// <summary>0 when no HTTP answer was received.</summary>
        public int HttpStatus { get; }
        public LiveServiceError? ServiceError { get; }
        /// <summary>The service's top error code (BadArgumentError, InsufficientAccessError...), or "".</summary>
        public string ErrorCode => ServiceError?.Code ?? "";
        /// <summary>The deepest error code (SyntaxError under BadArgumentError), or "".</summary>
        public string InnerErrorCode => ServiceError?.InnermostCode ?? "";
        /// <summary>What the user can do about it.</summary>
        public string? Hint { get; }

        /// <summary>The copy of this failure for another window (the runner names the window it was working on).</summary>
        internal LiveQueryException WithWindow(QueryWindow window, LiveQueryFailure? reason = null, string? summary = null, string? hint = null) =>
            new LiveQueryException(reason ?? Reason, Target, summary ?? Summary, window, HttpStatus, ServiceError, hint ?? Hint, InnerException);

        private static string Compose(LiveQueryFailure reason, string target, string summary, QueryWindow? window,
            int status, LiveServiceError? error, string? hint)
        {
            var sb = new StringBuilder();
            sb.Append(target);
            if (window.HasValue) sb.Append(", window ").Append(window.Value.ToString());
            sb.Append(": ").Append(summary);
            if (status != 0) sb.Append(" (HTTP ").Append(status).Append(')');
            if (error != null) sb.Append(". Service error ").Append(error.ToString());
            if (!string.IsNullOrEmpty(hint)) sb.Append(". ").Append(hint);
            var text = sb.ToString();
            return text.EndsWith(".", StringComparison.Ordinal) ? text : text + ".";
        }
    }
}
