using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace RunCommandHunt.Loading
{
    /// <summary>
    /// PowerShell 7: the module's own AssemblyLoadContext ("RunCommandHunt") holding the engine and its third-party
    /// assemblies, so that another module's Azure.Core or Azure.Identity (Az.Accounts) never meets ours, in either
    /// import order. This is the pattern of "Resolving PowerShell module assembly dependency conflicts"; the type is
    /// reached by reflection because RunCommandHunt.dll is netstandard2.0 and also loads in Windows PowerShell.
    /// </summary>
    /// <remarks>
    /// The documented sample overrides AssemblyLoadContext.Load, which a netstandard2.0 assembly cannot do. The same
    /// guarantee comes from loading our assemblies into the context up front: a context's own loaded assemblies are
    /// found before the default context is asked, so a copy of Azure.Core that the default context already holds,
    /// older or newer, is never bound to the engine. Assemblies that the host ships at the same or a newer version
    /// (System.Text.Json, System.Memory, ... in the trusted platform list) are left to the default context, as a
    /// .NET build's conflict resolution would pick them: a second netstandard copy of those would only duplicate
    /// framework types. Where the build left a ReadyToRun image of an assembly for this platform
    /// (dependencies/&lt;os-arch&gt;/, see Module.targets) and it was compiled from the IL copy beside it (same MVID), the
    /// image is loaded instead: same metadata and IL, plus native code that spares the first hunt of a session most of
    /// its JIT compilation.
    /// </remarks>
    internal sealed class IsolatedLoadContext
    {
        public const string ContextName = "RunCommandHunt";
        public const string EngineAssemblyName = "RunCommandHunt.Engine";
        public const string VectorizedAssemblyName = "RunCommandHunt.Engine.Vectorized";

        private readonly DependencyFolder _folder;
        private readonly object _context;
        private readonly MethodInfo _loadFromAssemblyPath;
        private readonly object _defaultContext;
        private readonly EventInfo _resolvingEvent;
        private readonly Delegate _defaultResolving;
        private readonly Dictionary<string, Assembly> _loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        private readonly object _gate = new object();

        private IsolatedLoadContext(Type alcType, DependencyFolder folder, IReadOnlyDictionary<string, Version> platform)
        {
            _folder = folder;
            var ctor = alcType.GetConstructor(new[] { typeof(string), typeof(bool) })
                ?? throw new MissingMethodException(alcType.FullName, ".ctor(string, bool)");
            _loadFromAssemblyPath = alcType.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })
                ?? throw new MissingMethodException(alcType.FullName, "LoadFromAssemblyPath");
            _resolvingEvent = alcType.GetEvent("Resolving")
                ?? throw new MissingMemberException(alcType.FullName, "Resolving");
            _defaultContext = alcType.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
                ?? throw new MissingMemberException(alcType.FullName, "Default");

            _context = ctor.Invoke(new object[] { ContextName, false });
            // Fallback for a request the preloaded set cannot satisfy (e.g. a platform copy older than asked for).
            _resolvingEvent.AddEventHandler(_context, Handler(nameof(ResolveInOwnContext)));
            _defaultResolving = Handler(nameof(ResolveEngineForDefaultContext));

            var images = folder.ReadyToRunImages(PlatformName());
            foreach (var name in folder.Names)
            {
                folder.TryGetPath(name, out var path);
                if (SuppliedByPlatform(name, path, platform)) continue;
                // net8.0: the engine asks for it itself, only on .NET 8 or later (Resolving, below, loads it then).
                if (string.Equals(name, VectorizedAssemblyName, StringComparison.OrdinalIgnoreCase)) continue;
                _loaded[name] = images.TryGetValue(name, out var image) && SameBuild(image, path) ? LoadPreferring(image, path) : Load(path);
            }
            if (!_loaded.ContainsKey(EngineAssemblyName))
                throw new FileNotFoundException($"RunCommandHunt: {EngineAssemblyName}.dll is missing from {folder.Path}; the module is incomplete. Reinstall it.");
        }

        /// <summary>The context on PowerShell 7 (.NET), or null on Windows PowerShell (.NET Framework has none).</summary>
        public static IsolatedLoadContext? TryCreate(DependencyFolder folder)
        {
            var alcType = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: false);
            return alcType == null ? null : new IsolatedLoadContext(alcType, folder, TrustedPlatformAssemblies());
        }

        /// <summary>Names this context loaded, for diagnostics.</summary>
        public IEnumerable<string> LoadedNames
        {
            get { lock (_gate) return new List<string>(_loaded.Keys); }
        }

        /// <summary>
        /// Hooks the default context's Resolving event, which is asked for the engine only, and AppDomain.AssemblyResolve
        /// for what the module's own default-context assemblies (RunCommandHunt.dll) name directly from dependencies/:
        /// they get this context's copy, the one the engine uses. Other requesters are never answered.
        /// </summary>
        public void AttachToDefaultContext()
        {
            _resolvingEvent.AddEventHandler(_defaultContext, _defaultResolving);
            AppDomain.CurrentDomain.AssemblyResolve += ResolveForModuleAssembly;
        }

        public void DetachFromDefaultContext()
        {
            _resolvingEvent.RemoveEventHandler(_defaultContext, _defaultResolving);
            AppDomain.CurrentDomain.AssemblyResolve -= ResolveForModuleAssembly;
        }

        /// <summary>
        /// The ReadyToRun image (precompiled for this platform, so the first hunt of a session is not spent in the JIT),
        /// or the IL copy when the image cannot be loaded. The image holds the same IL and metadata; the runtime uses its
        /// native code only where it fits, and compiles the rest as it would the IL copy.
        /// </summary>
        private Assembly LoadPreferring(string image, string ilPath)
        {
            try
            {
                return Load(image);
            }
            catch (Exception ex) when (ex is FileLoadException || ex is BadImageFormatException || ex is FileNotFoundException)
            {
                return Load(ilPath);
            }
        }

        /// <summary>
        /// True when the image was compiled from this IL copy (same MVID): a module folder copied over an older one can
        /// hold an image of an older engine, which must not run beside the newer cmdlets.
        /// </summary>
        private static bool SameBuild(string image, string ilPath)
        {
            var imageId = ModuleVersionId.Read(image);
            return imageId != null && imageId == ModuleVersionId.Read(ilPath);
        }

        /// <summary>
        /// The name of this process's platform as the build names the ReadyToRun folder (os-arch: linux-x64, win-x64,
        /// osx-arm64, ...), or null for a platform the build never compiles for.
        /// </summary>
        internal static string? PlatformName()
        {
            string? os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.Linux) ? "linux"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : null;
            string? arch = RuntimeInformation.ProcessArchitecture switch
            {
                Architecture.X64 => "x64",
                Architecture.Arm64 => "arm64",
                _ => null,
            };
            return os == null || arch == null ? null : os + "-" + arch;
        }

        private Assembly Load(string path)
        {
            try
            {
                return (Assembly)_loadFromAssemblyPath.Invoke(_context, new object[] { path });
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                throw new FileLoadException($"RunCommandHunt: cannot load {path} into its assembly load context: {ex.InnerException.Message}", path, ex.InnerException);
            }
        }

        // Bound to Func<AssemblyLoadContext, AssemblyName, Assembly?>: a delegate may take a less derived parameter.
        private Assembly? ResolveEngineForDefaultContext(object context, AssemblyName name)
        {
            if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.OrdinalIgnoreCase)) return null;
            lock (_gate) return _loaded[EngineAssemblyName];
        }

        private Assembly? ResolveForModuleAssembly(object? sender, ResolveEventArgs args)
        {
            var requester = args.RequestingAssembly;
            if (requester == null || !_folder.IsRootAssembly(requester)) return null;
            var name = new AssemblyName(args.Name);
            if (string.Equals(name.Name, EngineAssemblyName, StringComparison.OrdinalIgnoreCase)) return ResolveEngineForDefaultContext(_defaultContext, name);
            return _folder.TryGetPath(name.Name, out _) ? ResolveInOwnContext(_context, name) : null;
        }

        private Assembly? ResolveInOwnContext(object context, AssemblyName name)
        {
            // The model's types must be the session's: the engine gets the default context's copy, never its own.
            if (_folder.TryGetRootPath(name.Name, out var rootPath))
                return (Assembly)_loadFromAssemblyPath.Invoke(_defaultContext, new object[] { rootPath });
            if (!_folder.TryGetPath(name.Name, out var path)) return null;
            lock (_gate)
            {
                if (_loaded.TryGetValue(name.Name!, out var loaded))
                    return loaded.GetName().Version >= (name.Version ?? new Version(0, 0)) ? loaded : null;
                // Only reached when the platform's copy was preferred but turned out older than this request.
                return _loaded[name.Name!] = Load(path);
            }
        }

        private Delegate Handler(string method) =>
            Delegate.CreateDelegate(_resolvingEvent.EventHandlerType!, this,
                typeof(IsolatedLoadContext).GetMethod(method, BindingFlags.Instance | BindingFlags.NonPublic)!);

        private static bool SuppliedByPlatform(string name, string path, IReadOnlyDictionary<string, Version> platform)
        {
            if (!platform.TryGetValue(name, out var platformVersion)) return false;
            Version? ours;
            try { ours = AssemblyName.GetAssemblyName(path).Version; }
            catch (BadImageFormatException) { return true; } // not a managed assembly: nothing to load here
            return ours == null || platformVersion >= ours;
        }

        /// <summary>
        /// The assemblies the host process ships (the .NET runtime and, for pwsh or a hosting app, its own), with
        /// their versions; read from their metadata lazily, only for names that dependencies/ also holds.
        /// </summary>
        private static IReadOnlyDictionary<string, Version> TrustedPlatformAssemblies()
        {
            var result = new LazyVersions();
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
                foreach (var path in list.Split(new[] { System.IO.Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
                    result.Add(System.IO.Path.GetFileNameWithoutExtension(path), path);
            return result;
        }

        private sealed class LazyVersions : IReadOnlyDictionary<string, Version>
        {
            private readonly Dictionary<string, string> _paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

            public void Add(string name, string path) { if (!_paths.ContainsKey(name)) _paths[name] = path; }

            public bool TryGetValue(string key, out Version value)
            {
                value = new Version(0, 0);
                if (!_paths.TryGetValue(key, out var path)) return false;
                try { value = AssemblyName.GetAssemblyName(path).Version ?? value; }
                catch (Exception ex) when (ex is IOException || ex is BadImageFormatException || ex is UnauthorizedAccessException) { return false; }
                return true;
            }

            public Version this[string key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException(key);
            public IEnumerable<string> Keys => _paths.Keys;
            public IEnumerable<Version> Values { get { foreach (var k in _paths.Keys) yield return this[k]; } }
            public int Count => _paths.Count;
            public bool ContainsKey(string key) => _paths.ContainsKey(key);
            public IEnumerator<KeyValuePair<string, Version>> GetEnumerator() { foreach (var k in _paths.Keys) yield return new KeyValuePair<string, Version>(k, this[k]); }
            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }
}
