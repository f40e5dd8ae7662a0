/* The web app's static files, served from a directory (the built web/dist):
 * the right content types, a year's cache for content-hashed files under
 * /assets/, index.html (never cached) for every client route, and no way
 * out of the directory. */
#ifndef BF_HTTP_STATIC_H
#define BF_HTTP_STATIC_H

#include <stdbool.h>

#include "http/server.h"

/* Answers a GET or HEAD of req->path from the directory root: the file, or
 * index.html for a path without a file extension (a client route), or 404.
 * False when the method is neither (the caller answers). */
bool http_static_serve(http_request *req, const char *root);

/* The file under the root that answers path: path itself, or "/index.html"
 * for "/" and paths without an extension; NULL when path could leave the
 * directory (not starting with '/', a "." or ".." segment, a hidden name, an
 * empty segment inside, a backslash). The result is path or a constant. */
const char *http_static_file_of(const char *path);

/* The content type of a file name by its extension. */
const char *http_static_content_type(const char *name);

#endif
