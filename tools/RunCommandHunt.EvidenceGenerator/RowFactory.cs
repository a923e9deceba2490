using System;

namespace RunCommandHunt.EvidenceGenerator
{
    /// <summary>New rows with the columns every row of a table carries (workspace, device, report id, Type).</summary>
    internal sealed class RowFactory
    {
        private readonly Fleet _fleet;
        private readonly Prng _prng;

        public RowFactory(Fleet fleet, Prng prng) { _fleet = fleet; _prng = prng; }

        public Fleet Fleet => _fleet;

        public Row Activity(DateTime time) => new Row(EvidenceTables.AzureActivity)
            .Set("TenantId", _fleet.WorkspaceId)
            .Set("SourceSystem", "Azure")
            .Set("TimeGenerated", time)
            // ARM hands the event to Log Analytics some seconds after it happened.
            .Set("EventSubmissionTimestamp", time.AddTicks(_prng.Seconds(3, 45)))
            .Set("Type", "AzureActivity");

        public Row File(Machine machine, DateTime time) => Device(EvidenceTables.DeviceFileEvents, machine, time);

        public Row Event(Machine machine, DateTime time) => Device(EvidenceTables.DeviceEvents, machine, time);

        private Row Device(TableSchema schema, Machine machine, DateTime time) => new Row(schema)
            .Set("TenantId", _fleet.WorkspaceId)
            .Set("TimeGenerated", time)
            .Set("Timestamp", time)
            .Set("DeviceId", machine.DeviceId)
            .Set("DeviceName", machine.DeviceName)
            .Set("ReportId", machine.NextReportId(_prng))
            .Set("MachineGroup", machine.MachineGroup)
            .Set("Type", schema.Name);

        /// <summary>Claims of the caller's ARM token (a realistic subset): users carry a UPN, service principals do not.</summary>
        public string Claims(Principal caller, string ip, DateTime at)
        {
            long iat = new DateTimeOffset(at).ToUnixTimeSeconds() - _prng.Next(60, 3000);
            var c = new JsonObject()
                .Add("aud", "https://management.core.windows.net/")
                .Add("iss", $"https://sts.windows.net/{_fleet.AadTenantId}/")
                .Add("iat", iat.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add("nbf", iat.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add("exp", (iat + 4200).ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Add("appid", caller.AppId)
                .Add("appidacr", caller.IsServicePrincipal ? "1" : "0");
            if (caller.IsServicePrincipal)
            {
                c.Add("idtyp", "app");
            }
            else
            {
                c.Add("http://schemas.microsoft.com/claims/authnmethodsreferences", "pwd,mfa")
                 .Add("name", caller.DisplayName)
                 .Add("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", caller.Caller)
                 .Add("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", caller.Caller);
            }
            return c.Add("ipaddr", ip)
                .Add("http://schemas.microsoft.com/identity/claims/objectidentifier", caller.ObjectId)
                .Add("http://schemas.microsoft.com/identity/claims/tenantid", _fleet.AadTenantId)
                .Add("ver", "1.0")
                .ToString();
        }

        /// <summary>Fills the columns of one AzureActivity event. Modern (diagnostic-settings) rows carry upper-case
        /// ResourceId / ResourceGroup / provider, as today's workspaces do.</summary>
        public Row ActivityEvent(DateTime time, bool modern, string operationNameValue, string localizedName,
            string status, string substatus, string correlationId, string operationId, string authorization, string claims,
            string caller, string callerIp, string httpRequest, string resourceId, string subscriptionId, string resourceGroup,
            string provider, string category, string level, string properties)
        {
            return Activity(time)
                .Set("CallerIpAddress", callerIp)
                .Set("CategoryValue", category)
                .Set("CorrelationId", correlationId)
                .Set("Authorization", authorization)
                .Set("Authorization_d", authorization)
                .Set("Claims", claims)
                .Set("Level", level)
                .Set("OperationNameValue", operationNameValue)
                .Set("Properties", properties)
                .Set("Properties_d", properties)
                .Set("Caller", caller)
                .Set("EventDataId", _prng.GuidText())
                .Set("HTTPRequest", httpRequest)
                .Set("OperationId", operationId)
                .Set("ResourceGroup", modern ? resourceGroup.ToUpperInvariant() : resourceGroup)
                .Set("ResourceProviderValue", modern ? provider.ToUpperInvariant() : provider)
                .Set("ActivityStatusValue", status)
                .Set("ActivitySubstatusValue", substatus)
                .Set("Hierarchy", $"{_fleet.AadTenantId}/{_fleet.ManagementGroup}/{subscriptionId}")
                .Set("SubscriptionId", subscriptionId)
                .Set("OperationName", localizedName)
                .Set("ResourceId", modern ? resourceId.ToUpperInvariant() : resourceId)
                .Set("_ResourceId", resourceId.ToLowerInvariant());
        }

        public static string HttpRequest(string clientRequestId, string ip, string method) =>
            new JsonObject().Add("clientRequestId", clientRequestId).Add("clientIpAddress", ip).Add("method", method).ToString();

        public string Properties(string category, string entity, string message, string subscriptionId, string? statusCode, bool withServiceRequestId, string? statusMessage = null)
        {
            var p = new JsonObject();
            if (statusCode != null) p.Add("statusCode", statusCode);
            if (withServiceRequestId) p.Add("serviceRequestId", _prng.GuidText());
            else if (statusCode != null) p.Add("serviceRequestId", null);
            if (statusMessage != null) p.Add("statusMessage", statusMessage);
            return p.Add("eventCategory", category)
                .Add("entity", entity)
                .Add("message", message)
                .Add("hierarchy", $"{_fleet.AadTenantId}/{_fleet.ManagementGroup}/{subscriptionId}")
                .ToString();
        }
    }
}
