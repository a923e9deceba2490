using System;
using System.Reflection;

namespace RunCommandHunt.Loading
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework, no load contexts): AppDomain.AssemblyResolve + Assembly.LoadFrom from
    /// dependencies/, as powershell.exe would load them. .NET Framework keeps strong-named assemblies of different
    /// versions side by side, so another module's Azure.Core does not block ours; what it cannot isolate is listed in
    /// about_RunCommandHunt.
    /// </summary>
    internal sealed class FrameworkResolver
    {
        private readonly DependencyFolder _folder;

        public FrameworkResolver(DependencyFolder folder) { _folder = folder; }

        public void Attach() => AppDomain.CurrentDomain.AssemblyResolve += Resolve;

        public void Detach() => AppDomain.CurrentDomain.AssemblyResolve -= Resolve;

        private Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var name = new AssemblyName(args.Name).Name;
            if (!_folder.TryGetPath(name, out var path) && !_folder.TryGetRootPath(name, out path)) return null;
            // Answer our own assemblies only, so another module asking for its own copy of a shared name (Azure.Core)
            // is not handed ours. .NET Framework may not say who asks; then the name alone decides, as before.
            if (args.RequestingAssembly != null && !_folder.Contains(args.RequestingAssembly)) return null;
            // By name, whatever version was asked: the folder holds one restore's consistent set, so this acts as the
            // binding redirect a module cannot declare (System.Memory asking for an older Unsafe, for example).
            return Assembly.LoadFrom(path);
        }
    }
}
