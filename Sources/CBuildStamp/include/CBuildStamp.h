#ifndef CBUILDSTAMP_H
#define CBUILDSTAMP_H
// What a release build stamps into the binary (scripts/build-release.sh, the Dockerfile): the git revision and
// branch, the build date, user and the Swift toolchain's version. A plain `swift build` leaves them empty.
const char *cbuildstamp_revision(void);
const char *cbuildstamp_branch(void);
const char *cbuildstamp_date(void);
const char *cbuildstamp_user(void);
const char *cbuildstamp_swift_version(void);
#endif
