using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Threading;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using RunCommandHunt.Engine.Diagnostics;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// What both live clients share: one POST of a JSON body through the pipeline, the streamed parse of a 200, and
    /// the mapping of every other outcome to a <see cref="LiveQueryException"/> (or OperationCanceledException).
    /// </summary>
    internal sealed class LiveHttpCore
    {
        private const int MaxErrorBodyBytes = 64 * 1024;

        private readonly HttpPipeline _pipeline;
        private readonly Uri _requestUri;
        private readonly Func<int, LiveServiceError?, string?> _hint;

        public LiveHttpCore(string target, TokenCredential credential, string scope, Uri requestUri,
            LiveClientOptions options, IHuntLog log, Func<int, LiveServiceError?, string?> hint)
        {
            if (credential == null) throw new ArgumentNullException(nameof(credential));
            options.Validate();
            Target = target;
            Options = options;
            Log = log;
            Scrubber = new SecretScrubber();
            _requestUri = requestUri;
            _hint = hint;
            // Refuses plain http to anything but loopback here, before any request or token exists.
            _pipeline = LivePipeline.Build(options, new ObservedTokenCredential(credential, Scrubber), scope, requestUri, target);
        }

        public string Target { get; }
        public LiveClientOptions Options { get; }
        public IHuntLog Log { get; }
        public SecretScrubber Scrubber { get; }

        /// <summary>{"&lt;queryName&gt;": query, "&lt;timespanName&gt;": "start/end"}: the two APIs differ only in the casing.</summary>
        public static byte[] QueryBody(string queryName, string query, string timespanName, QueryWindow window)
        {
            using (var ms = new MemoryStream())
            {
                using (var w = new System.Text.Json.Utf8JsonWriter(ms))
                {
                    w.WriteStartObject();
                    w.WriteString(queryName, query);
                    w.WriteString(timespanName, window.ToIsoInterval());
                    w.WriteEndObject();
                }
                return ms.ToArray();
            }
        }

        /// <summary>Sends <paramref name="body"/> and parses the 200 with <paramref name="parse"/>.</summary>
        public ParsedResponse Post(byte[] body, IEnumerable<KeyValuePair<string, string>> headers, QueryWindow window,
            Func<LiveJsonReader, ParsedResponse> parse, CancellationToken cancellationToken, out long responseBytes)
        {
            for (int attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var clock = Stopwatch.StartNew();
                using (var message = _pipeline.CreateMessage())
                {
                    // Streamed: a large answer is parsed as it arrives and can be abandoned past MaxResponseBytes.
                    message.BufferResponse = false;
                    message.NetworkTimeout = Options.EffectiveNetworkTimeout;
                    var request = message.Request;
                    request.Method = RequestMethod.Post;
                    request.Uri.Reset(_requestUri);
                    request.Headers.SetValue(HttpHeader.Names.ContentType, "application/json");
                    request.Headers.SetValue(HttpHeader.Names.Accept, "application/json");
                    foreach (var h in headers) request.Headers.SetValue(h.Key, h.Value);
                    request.Content = RequestContent.Create(body);

                    try
                    {
                        _pipeline.Send(message, cancellationToken);
                    }
                    catch (Exception ex)
                    {
                        throw MapSendFailure(ex, window, cancellationToken);
                    }

                    var response = message.Response;
                    if (response.Status == 204)
                    {
                        responseBytes = 0;
                        Log.Verbose($"{Target}: window {window}: HTTP 204 (no content) in {Elapsed(clock)}.");
                        return new ParsedResponse { SawTables = true };
                    }
                    if (response.Status < 200 || response.Status > 299)
                        throw ErrorFor(response, window, cancellationToken);

                    var stream = response.ContentStream;
                    if (stream == null)
                        throw new LiveQueryException(LiveQueryFailure.MalformedResponse, Target, "the answer had no body", window, response.Status);
                    try
                    {
                        // Disposing the response unblocks a read in progress at once when the user cancels.
                        using (cancellationToken.Register(() => response.Dispose()))
                        {
                            var reader = new LiveJsonReader(stream, Options.MaxResponseBytes);
                            var parsed = parse(reader);
                            responseBytes = reader.BytesRead;
                            Log.Verbose($"{Target}: window {window}: HTTP {response.Status}, {LiveJsonReader.FormatBytes(reader.BytesRead)} in {Elapsed(clock)}.");
                            return parsed;
                        }
                    }
                    catch (Exception) when (cancellationToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException("The live query was cancelled.", cancellationToken);
                    }
                    catch (ResponseTooLargeException tl)
                    {
                        throw new LiveQueryException(LiveQueryFailure.LimitExceeded, Target,
                            $"the answer was larger than {LiveJsonReader.FormatBytes(tl.Limit)} (MaxResponseBytes)", window, response.Status);
                    }
                    catch (MalformedResponseException m)
                    {
                        throw new LiveQueryException(LiveQueryFailure.MalformedResponse, Target,
                            "the answer is not the documented JSON: " + Scrubber.Scrub(m.Message), window, response.Status);
                    }
                    catch (OperationCanceledException oce)
                    {
                        // Azure.Core's read timeout: the body stopped arriving for longer than the network timeout.
                        throw new LiveQueryException(LiveQueryFailure.Timeout, Target,
                            $"the answer stopped arriving for longer than the client timeout of {Seconds(Options.EffectiveNetworkTimeout)}", window,
                            response.Status, inner: oce);
                    }
                    catch (Exception ex) when (ex is IOException || ex is ObjectDisposedException || ex is HttpRequestException)
                    {
                        // The pipeline retries failures before the answer starts; a body cut off half-way is retried here.
                        if (attempt < Options.MaxRetries)
                        {
                            Log.Verbose($"{Target}: window {window}: the answer was cut off ({ex.GetType().Name}); retry {attempt + 1} of {Options.MaxRetries}.");
                            continue;
                        }
                        throw new LiveQueryException(LiveQueryFailure.Transport, Target,
                            $"the connection failed while the answer was arriving ({Scrubber.Scrub(ex.Message)})", window, response.Status,
                            hint: "Check the network path to the service and try again", inner: ex);
                    }
                }
            }
        }

        private Exception MapSendFailure(Exception ex, QueryWindow window, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested)
                return new OperationCanceledException("The live query was cancelled.", ex, cancellationToken);
            var all = new List<Exception>();
            if (ex is AggregateException agg) all.AddRange(agg.Flatten().InnerExceptions); else all.Add(ex);

            var own = all.Find(e => e is LiveQueryException);
            if (own != null) return own;
            var auth = all.Find(e => e is AuthenticationFailedException || e is CredentialUnavailableException);
            if (auth != null)
            {
                // Azure.Identity's text explains what failed; it carries no secret, but is scrubbed all the same.
                return new LiveQueryException(LiveQueryFailure.Unauthorized, Target,
                    "could not get a token: " + Scrubber.Scrub(auth.Message), window,
                    hint: "Check the sign-in method, tenant id and client id; for a managed identity, that it is enabled on this host");
            }

            bool allTimeouts = all.TrueForAll(e => e is OperationCanceledException);
            var tries = Options.MaxRetries + 1;
            if (allTimeouts)
            {
                return new LiveQueryException(LiveQueryFailure.Timeout, Target,
                    $"no answer within the client timeout of {Seconds(Options.EffectiveNetworkTimeout)} ({all.Count} of {tries} tries)", window,
                    inner: all[all.Count - 1]);
            }
            var last = all.FindLast(e => !(e is OperationCanceledException)) ?? all[all.Count - 1];
            if (last is IOException || last is HttpRequestException || last is RequestFailedException)
            {
                return new LiveQueryException(LiveQueryFailure.Transport, Target,
                    $"the request failed after {all.Count} tries: {Scrubber.Scrub(last.Message)}", window,
                    hint: "Check the endpoint, DNS, proxy and network path to the service", inner: last);
            }
            return ex;
        }

        private LiveQueryException ErrorFor(Response response, QueryWindow window, CancellationToken cancellationToken)
        {
            int status = response.Status;
            LiveServiceError? error = null;
            try
            {
                error = ReadError(response);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The live query was cancelled.", cancellationToken);
            }
            catch (Exception ex) when (ex is IOException || ex is OperationCanceledException || ex is ObjectDisposedException)
            {
                error = new LiveServiceError("", "(the error body could not be read: " + ex.GetType().Name + ")");
            }
            if (error != null) error = Scrub(error);

            var reason = ReasonFor(status, error);
            var retryAfter = response.Headers.TryGetValue("Retry-After", out var ra) ? ra : null;
            string summary;
            switch (reason)
            {
                case LiveQueryFailure.BadQuery: summary = "the service rejected the query"; break;
                case LiveQueryFailure.Unauthorized: summary = "the service did not accept the token"; break;
                case LiveQueryFailure.Forbidden: summary = "access denied"; break;
                case LiveQueryFailure.NotFound: summary = "not found"; break;
                case LiveQueryFailure.Throttled:
                    summary = $"throttled, still after {Options.MaxRetries} retries" + (retryAfter != null ? $" (Retry-After: {retryAfter})" : "");
                    break;
                case LiveQueryFailure.Timeout: summary = $"the query ran out of time, still after {Options.MaxRetries} retries"; break;
                case LiveQueryFailure.LimitExceeded: summary = "the query hit a service limit"; break;
                default: summary = "the service failed" + (status >= 500 ? $", still after {Options.MaxRetries} retries" : ""); break;
            }
            return new LiveQueryException(reason, Target, summary, window, status, error, _hint(status, error));
        }

        /// <summary>Errors whose text says "too much data" - splitting the window can help.</summary>
        internal static bool IsLimitError(LiveServiceError? error)
        {
            if (error == null) return false;
            foreach (var t in error.AllText())
            {
                if (t.Length == 0) continue;
                if (t.IndexOf("E_QUERY_RESULT_SET_TOO_LARGE", StringComparison.OrdinalIgnoreCase) >= 0
                    || t.IndexOf("E_LOW_MEMORY_CONDITION", StringComparison.OrdinalIgnoreCase) >= 0
                    || t.IndexOf("E_RUNAWAY_QUERY", StringComparison.OrdinalIgnoreCase) >= 0
                    || t.IndexOf("ResponseSizeError", StringComparison.OrdinalIgnoreCase) >= 0
                    || t.IndexOf("exceeded the allowed limits", StringComparison.OrdinalIgnoreCase) >= 0
                    || t.IndexOf("result set has exceeded", StringComparison.OrdinalIgnoreCase) >= 0
                    || t.IndexOf("record count limit", StringComparison.OrdinalIgnoreCase) >= 0
                    || t.IndexOf("data size limit", StringComparison.OrdinalIgnoreCase) >= 0)
                    return true;
            }
            return false;
        }

        private static LiveQueryFailure ReasonFor(int status, LiveServiceError? error)
        {
            switch (status)
            {
                case 401: return LiveQueryFailure.Unauthorized;
                case 403: return LiveQueryFailure.Forbidden;
                case 404: return LiveQueryFailure.NotFound;
                case 408:
                case 504: return LiveQueryFailure.Timeout;
                case 413: return LiveQueryFailure.LimitExceeded;
                case 429: return LiveQueryFailure.Throttled;
            }
            if (IsLimitError(error)) return LiveQueryFailure.LimitExceeded;
            if (status == 400) return LiveQueryFailure.BadQuery;
            return LiveQueryFailure.ServiceError;
        }

        private LiveServiceError? ReadError(Response response)
        {
            var stream = response.ContentStream;
            if (stream == null) return null;
            var ms = new MemoryStream();
            var buffer = new byte[8192];
            int n;
            while (ms.Length < MaxErrorBodyBytes && (n = stream.Read(buffer, 0, buffer.Length)) > 0) ms.Write(buffer, 0, n);
            if (ms.Length == 0) return null;
            var bytes = ms.ToArray();
            try
            {
                var r = new LiveJsonReader(new MemoryStream(bytes), MaxErrorBodyBytes + 1);
                LiveServiceError? found = null;
                r.Expect(System.Text.Json.JsonTokenType.StartObject, "the error object");
                foreach (var name in LogAnalyticsResponseReader.TopLevelProperties(r))
                {
                    if (JsonNames.Is(name, "error")) found = ErrorReader.Read(r);
                    else r.Skip();
                }
                if (found != null) return found;
            }
            catch (MalformedResponseException)
            {
                // Not the OneAPI shape (a proxy's HTML page, a cut-off body): keep the start of the text.
            }
            var text = Encoding.UTF8.GetString(bytes);
            if (text.Length > 500) text = text.Substring(0, 500) + "...";
            return new LiveServiceError("", text.Trim());
        }

        private LiveServiceError Scrub(LiveServiceError e)
        {
            var inner = new List<LiveServiceError>();
            foreach (var i in e.Inner) inner.Add(new LiveServiceError(Scrubber.Scrub(i.Code), Scrubber.Scrub(i.Message)));
            return new LiveServiceError(Scrubber.Scrub(e.Code), Scrubber.Scrub(e.Message), inner);
        }

        internal LiveServiceError? ScrubOrNull(LiveServiceError? e) => e == null ? null : Scrub(e);

        private static string Elapsed(Stopwatch clock) =>
            clock.Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";

        private static string Seconds(TimeSpan t) =>
            t.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s";
    }
}
