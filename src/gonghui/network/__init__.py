# SPDX-License-Identifier: AGPL-3.0-or-later
"""The service network (服务阵地): workers' homes, the registry of service positions, the
15-minute service circle, bookings, utilisation, and activities held at positions."""
