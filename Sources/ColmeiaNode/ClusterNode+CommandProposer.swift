import ColmeiaManager

/// The reconcilers and the dispatcher propose through the node, like the API does.
extension ClusterNode: CommandProposer {}
