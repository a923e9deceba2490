using System;

namespace RunCommandHunt.Engine.Correlation
{
    /// <summary>Matching an Azure machine name to an MDE DeviceName.</summary>
    public static class DeviceNames
    {
        /// <summary>The seeds' <c>tostring(split(DeviceName, ".")[0])</c>.</summary>
        public static string HostPart(string deviceName)
        {
            int dot = deviceName.IndexOf('.');
            return dot < 0 ? deviceName : deviceName.Substring(0, dot);
        }

        /// <summary>
        /// The default match: case-insensitive, the DeviceName either the machine name itself or an FQDN that starts with
        /// it (MDE reports host names lower-case and often fully qualified; a Linux VM name may itself contain dots).
        /// </summary>
        public static bool Matches(string machineName, string deviceName)
        {
            if (machineName.Length == 0 || deviceName.Length < machineName.Length) return false;
            if (!deviceName.StartsWith(machineName, StringComparison.OrdinalIgnoreCase)) return false;
            return deviceName.Length == machineName.Length || deviceName[machineName.Length] == '.';
        }
    }
}
