// Range index on Delivery.pendingFor (set only while a delivery waits): the dispatcher finds what to send.
// mode: write
// params: none
// returns: none
CREATE INDEX FOR (n:Delivery) ON (n.pendingFor)
