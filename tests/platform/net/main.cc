#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdlib>

int main(int argc, char** argv) {
  // The tests talk to servers on 127.0.0.1; a proxy configured in the
  // environment (as on some CI runners) would intercept them. The fetcher
  // itself honours these variables on purpose.
  for (const char* name : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"}) {
    unsetenv(name);
  }
  doctest::Context context(argc, argv);
  return context.run();
}
