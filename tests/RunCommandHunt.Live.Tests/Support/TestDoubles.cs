using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Sources;

namespace RunCommandHunt.Live.Tests.Support
{
    /// <summary>Keeps every message the engine logs, to check content and that no secret is among them.</summary>
    public sealed class CapturingLog : IHuntLog
    {
        public readonly ConcurrentQueue<string> Verbose_ = new ConcurrentQueue<string>();
        public readonly ConcurrentQueue<string> Warnings = new ConcurrentQueue<string>();
        public readonly ConcurrentQueue<EvidenceRowError> Rejected = new ConcurrentQueue<EvidenceRowError>();
        public readonly ConcurrentQueue<(string Activity, string Status, int Percent)> ProgressRecords = new ConcurrentQueue<(string, string, int)>();

        public void Verbose(string message) => Verbose_.Enqueue(message);
        public void Warning(string message) => Warnings.Enqueue(message);
        public void RowRejected(EvidenceRowError error) => Rejected.Enqueue(error);
        public void Progress(string activity, string status, int percent) => ProgressRecords.Enqueue((activity, status, percent));

        /// <summary>Everything received, as text.</summary>
        public IEnumerable<string> All() =>
            Verbose_.Concat(Warnings).Concat(Rejected.Select(r => r.ToString() + " " + r.Value))
                .Concat(ProgressRecords.Select(p => p.Activity + " " + p.Status));
    }

    /// <summary>A credential that hands out a fixed token and counts requests for it.</summary>
    public sealed class FakeCredential : TokenCredential
    {
        private int _calls;
        public FakeCredential(string token) { Token = token; }
        public string Token { get; }
        public int Calls => Volatile.Read(ref _calls);
        public readonly ConcurrentQueue<string> Scopes = new ConcurrentQueue<string>();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            foreach (var s in requestContext.Scopes) Scopes.Enqueue(s);
            return new AccessToken(Token, DateTimeOffset.UtcNow.AddHours(1));
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            new ValueTask<AccessToken>(GetToken(requestContext, cancellationToken));
    }

    public static class Tokens
    {
        /// <summary>A token-looking secret no message may contain.</summary>
        public const string Secret = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJTM0NSM1QtdGVzdCJ9.SECRET-SIGNATURE-d41d8cd98f00b204";
    }

    /// <summary>Log Analytics and Graph answers, written with Utf8JsonWriter so tests state data, not JSON text.</summary>
    public static class Wire
    {
        public sealed class Column
        {
            public Column(string name, string type) { Name = name; Type = type; }
            public string Name { get; }
            public string Type { get; }
        }

        /// <summary>{"tables":[{"name":"PrimaryResult","columns":[...],"rows":[...]}]} (+ "error" when given).</summary>
        public static string LaTable(Column[] columns, IEnumerable<object?[]> rows, string? errorCode = null, string? errorMessage = null,
            string? statisticsJson = null)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("tables");
                w.WriteStartArray();
                w.WriteStartObject();
                w.WriteString("name", "PrimaryResult");
                w.WritePropertyName("columns");
                w.WriteStartArray();
                foreach (var c in columns)
                {
                    w.WriteStartObject();
                    w.WriteString("name", c.Name);
                    w.WriteString("type", c.Type);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WritePropertyName("rows");
                w.WriteStartArray();
                foreach (var row in rows)
                {
                    w.WriteStartArray();
                    foreach (var cell in row) WriteValue(w, cell);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndArray();
                if (errorCode != null)
                {
                    w.WritePropertyName("error");
                    w.WriteStartObject();
                    w.WriteString("code", errorCode);
                    w.WriteString("message", errorMessage ?? "");
                    w.WriteEndObject();
                }
                if (statisticsJson != null)
                {
                    w.WritePropertyName("statistics");
                    w.WriteRawValue(statisticsJson);
                }
                w.WriteEndObject();
            });
        }

        /// <summary>{"error":{"code","message","innererror":{"code","message"}}}.</summary>
        public static string Error(string code, string message, string? innerCode = null, string? innerMessage = null)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WritePropertyName("error");
                w.WriteStartObject();
                w.WriteString("message", message);
                w.WriteString("code", code);
                if (innerCode != null)
                {
                    w.WritePropertyName("innererror");
                    w.WriteStartObject();
                    w.WriteString("code", innerCode);
                    w.WriteString("message", innerMessage ?? "");
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            });
        }

        /// <summary>Graph runHuntingQuery: {"@odata.context", "schema":[{"Name","Type"}], "results":[{...}]}.</summary>
        public static string Graph(Column[] schema, IEnumerable<Dictionary<string, object?>> results, bool schemaFirst = true)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults");
                if (schemaFirst) WriteSchema(w, schema);
                w.WritePropertyName("results");
                w.WriteStartArray();
                foreach (var r in results)
                {
                    w.WriteStartObject();
                    foreach (var kv in r)
                    {
                        w.WritePropertyName(kv.Key);
                        WriteValue(w, kv.Value);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (!schemaFirst) WriteSchema(w, schema);
                w.WriteEndObject();
            });
        }

        private static void WriteSchema(Utf8JsonWriter w, Column[] schema)
        {
            w.WritePropertyName("schema");
            w.WriteStartArray();
            for (int i = 0; i < schema.Length; i++)
            {
                w.WriteStartObject();
                // The documented example mixes Name/name casing.
                w.WriteString(i % 2 == 0 ? "name" : "Name", schema[i].Name);
                w.WriteString(i % 2 == 0 ? "type" : "Type", schema[i].Type);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }

        private static void WriteValue(Utf8JsonWriter w, object? cell)
        {
            switch (cell)
            {
                case null: w.WriteNullValue(); break;
                case string s: w.WriteStringValue(s); break;
                case long l: w.WriteNumberValue(l); break;
                case int i: w.WriteNumberValue(i); break;
                case double d: w.WriteNumberValue(d); break;
                case bool b: w.WriteBooleanValue(b); break;
                case RawJson raw: w.WriteRawValue(raw.Text); break;
                default: throw new ArgumentException("unsupported cell " + cell.GetType());
            }
        }

        private static string Write(Action<Utf8JsonWriter> body)
        {
            using var ms = new MemoryStream();
            using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                body(w);
            return Encoding.UTF8.GetString(ms.ToArray());
        }
    }

    /// <summary>A cell written as literal JSON (an object or array where a dynamic value arrives unencoded).</summary>
    public sealed class RawJson
    {
        public RawJson(string text) { Text = text; }
        public string Text { get; }
    }

    public static class Opts
    {
        /// <summary>Client options for the fake server: fast retries, short timeouts.</summary>
        public static LiveClientOptions For(FakeHttpServer server, int retries = 3, double networkTimeoutSeconds = 5, double maxRetryDelaySeconds = 0.2) =>
            new LiveClientOptions
            {
                Endpoint = server.BaseUri,
                MaxRetries = retries,
                RetryDelay = TimeSpan.FromMilliseconds(10),
                MaxRetryDelay = TimeSpan.FromSeconds(maxRetryDelaySeconds),
                NetworkTimeout = TimeSpan.FromSeconds(networkTimeoutSeconds),
                ServerTimeout = TimeSpan.FromSeconds(30),
            };

        public static readonly string Workspace = "8f1b0a37-2c43-4d5e-9a61-0b7c2d3e4f50";

        public static DateTime Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc);

        public static DateTime ParseIso(string s) =>
            DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }
}
