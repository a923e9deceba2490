using System.Linq;
using RunCommandHunt.Engine.Correlation;
using RunCommandHunt.Engine.Model;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Correlation
{
    public class FileEventTextsTests
    {
        private static DeviceFileEventRecord Write(string device, string folder) => new DeviceFileEventRecord
        {
            DeviceName = new string(device.ToCharArray()), FolderPath = new string(folder.ToCharArray()), FileName = "script1.ps1",
            InitiatingProcessFileName = "RunCommandExtension.exe", SHA256 = "",
        };

        [Fact]
        public void Share_ShouldGiveEqualTextsOneCopyAndChangeNoValue()
        {
            var records = new[] { Write("vm01", @"C:\Packages\a\script1.ps1"), Write("vm01", @"C:\Packages\a\script1.ps1"), Write("VM01", @"C:\Packages\b\script1.ps1") };
            Assert.NotSame(records[0].DeviceName, records[1].DeviceName);
            FileEventTexts.Share(records);
            Assert.Same(records[0].DeviceName, records[1].DeviceName);
            Assert.Same(records[0].FolderPath, records[1].FolderPath);
            Assert.Same(records[0].FileName, records[2].FileName);
            Assert.Equal(new[] { "vm01", "vm01", "VM01" }, records.Select(r => r.DeviceName));
            Assert.Equal(@"C:\Packages\b\script1.ps1", records[2].FolderPath);
        }
    }
}
