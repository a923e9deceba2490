using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace RunCommandHunt.Live.Tests.Support
{
    /// <summary>A request as the fake server received it.</summary>
    public sealed class RecordedRequest
    {
        public string Method = "";
        public string Path = "";
        public Dictionary<string, string> Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public string Body = "";
        public int Index;
        /// <summary>Stopwatch timestamp when the request was fully read.</summary>
        public long ReceivedAt;

        public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : "";

        public JsonElement Json => JsonDocument.Parse(Body).RootElement;

        /// <summary>A string property of the JSON body, matched exactly (the wire names are case-sensitive for us).</summary>
        public string JsonString(string name) => Json.GetProperty(name).GetString() ?? "";
    }

    /// <summary>What the fake server sends back.</summary>
    public sealed class FakeResponse
    {
        public int Status = 200;
        public string Reason = "OK";
        public List<KeyValuePair<string, string>> Headers = new List<KeyValuePair<string, string>>();
        public byte[] Body = Array.Empty<byte>();
        /// <summary>Send the headers and this many body bytes, then close the connection (a body cut off).</summary>
        public int? CutBodyAfter;

        public static FakeResponse Json(int status, string json, params (string Name, string Value)[] headers)
        {
            var r = new FakeResponse { Status = status, Reason = ReasonFor(status), Body = Encoding.UTF8.GetBytes(json) };
            r.Headers.Add(new KeyValuePair<string, string>("Content-Type", "application/json; charset=utf-8"));
            foreach (var (n, v) in headers) r.Headers.Add(new KeyValuePair<string, string>(n, v));
            return r;
        }

        public static FakeResponse Text(int status, string text)
        {
            var r = new FakeResponse { Status = status, Reason = ReasonFor(status), Body = Encoding.UTF8.GetBytes(text) };
            r.Headers.Add(new KeyValuePair<string, string>("Content-Type", "text/plain"));
            return r;
        }

        private static string ReasonFor(int status) => status switch
        {
            200 => "OK", 204 => "No Content", 400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found",
            429 => "Too Many Requests", 500 => "Internal Server Error", 503 => "Service Unavailable", 504 => "Gateway Timeout", _ => "Status",
        };
    }

    /// <summary>
    /// A minimal HTTP/1.1 server on 127.0.0.1 and an ephemeral port, scripted per test: the handler sees each request
    /// (and its 0-based index) and returns the answer, possibly after waiting. One request per connection.
    /// </summary>
    public sealed class FakeHttpServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly Func<RecordedRequest, CancellationToken, Task<FakeResponse>> _handler;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly ConcurrentQueue<RecordedRequest> _requests = new ConcurrentQueue<RecordedRequest>();
        private int _count = -1;

        public FakeHttpServer(Func<RecordedRequest, CancellationToken, Task<FakeResponse>> handler)
        {
            _handler = handler;
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");
            _ = AcceptLoop();
        }

        public FakeHttpServer(Func<RecordedRequest, FakeResponse> handler)
            : this((r, ct) => Task.FromResult(handler(r)))
        {
        }

        public Uri BaseUri { get; }

        /// <summary>Requests received so far, in arrival order.</summary>
        public IReadOnlyList<RecordedRequest> Requests => _requests.OrderBy(r => r.Index).ToList();

        /// <summary>Completes when a request has been read (for tests that must act while it is in flight).</summary>
        public TaskCompletionSource<RecordedRequest> FirstRequest { get; } = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken Stopping => _stop.Token;

        /// <summary>
        /// The requests once <paramref name="count"/> have arrived. The server reads on the thread pool, so a request
        /// the client already gave up on (a timeout) may be recorded a little later.
        /// </summary>
        public IReadOnlyList<RecordedRequest> WaitForRequests(int count, double seconds = 10)
        {
            var deadline = Stopwatch.StartNew();
            while (_requests.Count < count && deadline.Elapsed.TotalSeconds < seconds) Thread.Sleep(10);
            return Requests;
        }

        private async Task AcceptLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                _ = Task.Run(() => Serve(client));
            }
        }

        private async Task Serve(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var request = await ReadRequest(stream);
                    if (request == null) return;
                    request.Index = Interlocked.Increment(ref _count);
                    request.ReceivedAt = Stopwatch.GetTimestamp();
                    _requests.Enqueue(request);
                    FirstRequest.TrySetResult(request);
                    var response = await _handler(request, _stop.Token);
                    await Write(stream, response);
                }
                catch (Exception)
                {
                    // The client went away (timeout, cancellation) or the test ended: nothing to do.
                }
            }
        }

        private static async Task<RecordedRequest?> ReadRequest(NetworkStream stream)
        {
            var head = new MemoryStream();
            var one = new byte[1];
            // Read byte by byte up to the blank line; requests are small.
            while (true)
            {
                int n = await stream.ReadAsync(one, 0, 1);
                if (n == 0) return null;
                head.WriteByte(one[0]);
                var len = head.Length;
                if (len >= 4)
                {
                    var b = head.GetBuffer();
                    if (b[len - 4] == '\r' && b[len - 3] == '\n' && b[len - 2] == '\r' && b[len - 1] == '\n') break;
                }
            }
            var lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
            var first = lines[0].Split(' ');
            var r = new RecordedRequest { Method = first[0], Path = first[1] };
            foreach (var line in lines.Skip(1))
            {
                if (line.Length == 0) continue;
                int colon = line.IndexOf(':');
                r.Headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
            if (r.Headers.TryGetValue("Content-Length", out var cl) && int.TryParse(cl, out int length) && length > 0)
            {
                var body = new byte[length];
                int read = 0;
                while (read < length)
                {
                    int n = await stream.ReadAsync(body, read, length - read);
                    if (n == 0) break;
                    read += n;
                }
                r.Body = Encoding.UTF8.GetString(body, 0, read);
            }
            return r;
        }

        private static async Task Write(NetworkStream stream, FakeResponse response)
        {
            var sb = new StringBuilder();
            sb.Append("HTTP/1.1 ").Append(response.Status).Append(' ').Append(response.Reason).Append("\r\n");
            foreach (var h in response.Headers) sb.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
            sb.Append("Content-Length: ").Append(response.Body.Length).Append("\r\n");
            sb.Append("Connection: close\r\n\r\n");
            var headBytes = Encoding.ASCII.GetBytes(sb.ToString());
            await stream.WriteAsync(headBytes, 0, headBytes.Length);
            int count = response.CutBodyAfter.HasValue ? Math.Min(response.CutBodyAfter.Value, response.Body.Length) : response.Body.Length;
            await stream.WriteAsync(response.Body, 0, count);
            await stream.FlushAsync();
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }
    }
}
