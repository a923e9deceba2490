using System;
using System.Management.Automation;
using RunCommandHunt.Engine.Diagnostics;
using RunCommandHunt.Engine.Sources;

namespace RunCommandHunt.Commands
{
    /// <summary>Engine exceptions -> error records with stable ids (&lt;Noun&gt;&lt;Reason&gt;) and the right category.</summary>
    internal static class ErrorMapping
    {
        public static ErrorRecord ToErrorRecord(Exception ex, object? target)
        {
            switch (ex)
            {
                case EvidenceException ee:
                    return new ErrorRecord(ee, "Evidence" + ee.Reason, CategoryFor(ee.Reason), target ?? ee.Source);
                case LiveQueryException lq:
                    return new ErrorRecord(lq, "LiveQuery" + lq.Reason, CategoryFor(lq.Reason), target ?? lq.Target);
                case OperationCanceledException oce:
                    return new ErrorRecord(oce, "HuntCanceled", ErrorCategory.OperationStopped, target);
                case ArgumentException ae:
                    return new ErrorRecord(ae, "HuntInvalidArgument", ErrorCategory.InvalidArgument, target);
                default:
                    return new ErrorRecord(ex, "HuntFailed", ErrorCategory.NotSpecified, target);
            }
        }

        /// <summary>Failures a hunt reports as an error record rather than a crash: bad evidence, a failed query,
        /// a value that cannot go into KQL, Ctrl+C.</summary>
        public static bool IsHuntFailure(Exception ex) =>
            ex is EvidenceException || ex is LiveQueryException || ex is OperationCanceledException || ex is ArgumentException;

        private static ErrorCategory CategoryFor(LiveQueryFailure reason)
        {
            switch (reason)
            {
                case LiveQueryFailure.BadQuery: return ErrorCategory.InvalidArgument;
                case LiveQueryFailure.Unauthorized: return ErrorCategory.AuthenticationError;
                case LiveQueryFailure.Forbidden: return ErrorCategory.PermissionDenied;
                case LiveQueryFailure.NotFound: return ErrorCategory.ObjectNotFound;
                case LiveQueryFailure.Throttled: return ErrorCategory.LimitsExceeded;
                case LiveQueryFailure.Timeout: return ErrorCategory.OperationTimeout;
                case LiveQueryFailure.LimitExceeded: return ErrorCategory.LimitsExceeded;
                case LiveQueryFailure.PartialResult: return ErrorCategory.ReadError;
                case LiveQueryFailure.MalformedResponse: return ErrorCategory.InvalidResult;
                case LiveQueryFailure.Transport: return ErrorCategory.ConnectionError;
                case LiveQueryFailure.InsecureEndpoint: return ErrorCategory.SecurityError;
                case LiveQueryFailure.OutOfRange: return ErrorCategory.InvalidArgument;
                default: return ErrorCategory.NotSpecified;
            }
        }

        public static ErrorRecord RowRejected(EvidenceRowError e) =>
            new ErrorRecord(new InvalidOperationException(e.ToString()), "EvidenceRowRejected", ErrorCategory.InvalidData, e.Source)
            {
                ErrorDetails = new ErrorDetails(e.ToString()),
            };

        private static ErrorCategory CategoryFor(string reason)
        {
            switch (reason)
            {
                case "NotFound": return ErrorCategory.ObjectNotFound;
                case "WrongTable":
                case "MissingColumn":
                case "AmbiguousTable":
                case "UnknownFormat": return ErrorCategory.InvalidData;
                case "PartialResult": return ErrorCategory.ReadError;
                default: return ErrorCategory.ReadError;
            }
        }
    }
}
