using System;
using System.Management.Automation;
using RunCommandHunt.Engine.Diagnostics;

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
                case OperationCanceledException oce:
                    return new ErrorRecord(oce, "HuntCanceled", ErrorCategory.OperationStopped, target);
                case ArgumentException ae:
                    return new ErrorRecord(ae, "HuntInvalidArgument", ErrorCategory.InvalidArgument, target);
                default:
                    return new ErrorRecord(ex, "HuntFailed", ErrorCategory.NotSpecified, target);
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
