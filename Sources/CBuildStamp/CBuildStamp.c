#include "CBuildStamp.h"

// Defined on the command line: swift build -Xcc -DAKASH_BUILD_REVISION='"1a2b3c"' ...
#ifndef AKASH_BUILD_REVISION
#define AKASH_BUILD_REVISION ""
#endif
#ifndef AKASH_BUILD_BRANCH
#define AKASH_BUILD_BRANCH ""
#endif
#ifndef AKASH_BUILD_DATE
#define AKASH_BUILD_DATE ""
#endif
#ifndef AKASH_BUILD_USER
#define AKASH_BUILD_USER ""
#endif
#ifndef AKASH_BUILD_SWIFT_VERSION
#define AKASH_BUILD_SWIFT_VERSION ""
#endif

const char *cbuildstamp_revision(void) { return AKASH_BUILD_REVISION; }
const char *cbuildstamp_branch(void) { return AKASH_BUILD_BRANCH; }
const char *cbuildstamp_date(void) { return AKASH_BUILD_DATE; }
const char *cbuildstamp_user(void) { return AKASH_BUILD_USER; }
const char *cbuildstamp_swift_version(void) { return AKASH_BUILD_SWIFT_VERSION; }
