using System.Threading;

namespace RunCommandHunt.Engine.Sources
{
    /// <summary>
    /// A query client for one live source. The engine only ever talks to this interface, so Azure.Monitor.Query's
    /// LogsQueryClient (or a test double) can stand in for our own Azure.Core clients.
    /// </summary>
    public interface ILogsQueryClient
    {
        LiveSourceKind Kind { get; }

        /// <summary>What is queried, for messages and record origins: "Log Analytics workspace &lt;id&gt;".</summary>
        string Target { get; }

        /// <summary>Rows at which the service silently truncates a result (500,000 Log Analytics, 100,000 Defender XDR).</summary>
        int ServiceRowLimit { get; }

        /// <summary>Throws <see cref="LiveQueryException"/> (OutOfRange) when the service cannot answer for the window.</summary>
        void ValidateWindow(QueryWindow window);

        /// <summary>
        /// Runs one query over one window. Returns the primary table; a 200 carrying an error comes back with
        /// <see cref="LiveQueryResult.PartialError"/> set. Failures throw <see cref="LiveQueryException"/>; cancellation
        /// throws OperationCanceledException and aborts the request in flight.
        /// </summary>
        LiveQueryResult Query(string query, QueryWindow window, CancellationToken cancellationToken);
    }
}
