// bulwark talks to a Linux daemon over a unix socket and uses POSIX signals: Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
