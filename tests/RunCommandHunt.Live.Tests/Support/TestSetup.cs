using System.Runtime.CompilerServices;
using System.Threading;

namespace RunCommandHunt.Live.Tests.Support
{
    internal static class TestSetup
    {
        /// <summary>
        /// The clients are synchronous and the fake server runs on the thread pool: enough threads up front that
        /// parallel test classes cannot starve the server into missing a client timeout.
        /// </summary>
        [ModuleInitializer]
        internal static void Init()
        {
            ThreadPool.GetMinThreads(out int worker, out int io);
            if (worker < 64) ThreadPool.SetMinThreads(64, io < 64 ? 64 : io);
        }
    }
}
