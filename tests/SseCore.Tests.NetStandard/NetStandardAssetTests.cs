using System.Reflection;
using System.Runtime.Versioning;

namespace SseCore.Tests.NetStandard;

public class NetStandardAssetTests
{
    [Fact]
    public void TheLibraryUnderTest_IsTheNetStandard20Build()
    {
        string? framework = typeof(SseTokenizer).Assembly.GetCustomAttribute<TargetFrameworkAttribute>()?.FrameworkName;
        Assert.Equal(".NETStandard,Version=v2.0", framework);
    }
}
