using System.Management.Automation;

namespace RunCommandHunt.Loading
{
    /// <summary>
    /// Makes dependencies/ loadable when the module is imported. Cmdlets name engine types only inside method bodies,
    /// so nothing from dependencies/ is needed before this runs.
    /// PowerShell 7: <see cref="IsolatedLoadContext"/>. Windows PowerShell 5.1: <see cref="FrameworkResolver"/>.
    /// </summary>
    public sealed class DependencyLoader : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        private static readonly object Gate = new object();
        // Process-wide: RunCommandHunt.dll is loaded once per process, whatever the number of runspaces importing it.
        private static IsolatedLoadContext? _context;
        private static FrameworkResolver? _resolver;
        private static int _imports;

        /// <summary>Name of the module's assembly load context on PowerShell 7.</summary>
        public static string LoadContextName => IsolatedLoadContext.ContextName;

        public void OnImport()
        {
            lock (Gate)
            {
                if (_imports == 0)
                {
                    if (_context == null && _resolver == null)
                    {
                        var folder = DependencyFolder.OfThisModule();
                        _context = IsolatedLoadContext.TryCreate(folder);
                        if (_context == null) _resolver = new FrameworkResolver(folder);
                    }
                    if (_context != null) _context.AttachToDefaultContext();
                    else _resolver!.Attach();
                }
                _imports++;
            }
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                // Other runspaces of the process may still use the module: unhook only when the last one removes it.
                if (_imports == 0 || --_imports > 0) return;
                if (_context != null) _context.DetachFromDefaultContext();
                else _resolver?.Detach();
            }
        }
    }
}
