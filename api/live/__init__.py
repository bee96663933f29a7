"""Live updates: GraphQL subscriptions over WebSocket, fed by a broker across processes."""
