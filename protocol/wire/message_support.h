// Everything a generated message (build dir, protocol/messages/*.h) needs: the primitive Reader and
// Writer, the types its fields use, and Result. Included by generated code only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "protocol/api_key.h"
#include "protocol/bytes.h"
#include "protocol/errc.h"
#include "protocol/result.h"
#include "protocol/types.h"
#include "protocol/wire/reader.h"
#include "protocol/wire/records_view.h"
#include "protocol/wire/uuid.h"
#include "protocol/wire/writer.h"
