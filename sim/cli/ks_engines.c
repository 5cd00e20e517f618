/* ks_engines.c - the engines `--engine NAME` can name.  The only code that
 * knows every engine: the run layer drives whichever it is given through
 * ks_backend.h. */
#include <string.h>

#include "ks_cli.h"
#include "ks_ns3.h"
#include "ks_world.h"

const ks_backend *ks_cli_engine_find(const char *name, GError **error) {
  if (name == NULL || strcmp(name, "native") == 0)
    return &ks_world_backend;
  if (strcmp(name, "ns3") == 0) /* without ns-3, ns3/engine/ks_ns3_stub.c says so */
    return ks_ns3_backend(error);
  g_set_error(error, KS_CLI_ERROR, 0, "--engine %s: unknown engine (native, ns3)", name);
  return NULL;
}
