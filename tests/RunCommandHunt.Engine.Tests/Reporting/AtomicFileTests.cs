using System;
using System.IO;
using System.Linq;
using System.Text;
using RunCommandHunt.Engine.Reporting;
using Xunit;

namespace RunCommandHunt.Engine.Tests.Reporting
{
    public sealed class AtomicFileTests : IDisposable
    {
        private readonly string _dir = Directory.CreateTempSubdirectory("rch-atomic-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private static Action<Stream> Text(string s) => st => { var b = Encoding.UTF8.GetBytes(s); st.Write(b, 0, b.Length); };

        [Fact]
        public void Write_WhenTargetMissingThenPresent_ShouldCreateThenReplaceIt()
        {
            var path = Path.Combine(_dir, "report.html");
            AtomicFile.Write(path, Text("one"));
            Assert.Equal("one", File.ReadAllText(path));
            AtomicFile.Write(path, Text("two"));
            Assert.Equal("two", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(_dir));
        }

        [Fact]
        public void Write_WhenWriterThrows_ShouldKeepTheOldFileAndRemoveTheTempFile()
        {
            var path = Path.Combine(_dir, "report.html");
            AtomicFile.Write(path, Text("old"));
            Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, st =>
            {
                Text("half of the new")(st);
                throw new InvalidOperationException("killed");
            }));
            Assert.Equal("old", File.ReadAllText(path));
            Assert.Equal(new[] { "report.html" }, Directory.GetFiles(_dir).Select(Path.GetFileName));
        }

        [Fact]
        public void Write_WhenFolderMissing_ShouldThrowNamingTheFile()
        {
            var path = Path.Combine(_dir, "no-such-folder", "alerts.jsonl");
            var ex = Assert.Throws<ReportWriteException>(() => AtomicFile.Write(path, Text("x")));
            Assert.Equal(path, ex.Path);
            Assert.Contains(path, ex.Message);
        }

        [Fact]
        public void IsTempFileOf_WhenNamesCompared_ShouldRecogniseOnlyItsOwnTempFiles()
        {
            var target = Path.Combine(_dir, "b.json");
            Assert.True(AtomicFile.IsTempFileOf(Path.Combine(_dir, ".b.json.0123abcd.tmp"), target));
            Assert.False(AtomicFile.IsTempFileOf(Path.Combine(_dir, ".b.json.lock"), target));
            Assert.False(AtomicFile.IsTempFileOf(Path.Combine(_dir, ".bb.json.0123.tmp"), target));
        }
    }
}
